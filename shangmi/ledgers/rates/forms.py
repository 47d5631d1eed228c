"""The rate target form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from shangmi.core.calendar import program_year
from shangmi.core.forms import BootstrapMixin, model_choices
from shangmi.core.scoping import ADD, CHANGE
from shangmi.ledgers.activities.forms import RegionChoiceField
from shangmi.ledgers.models import RateTarget
from shangmi.ledgers.rates.services import DEFAULT_PERCENT, target_regions
from shangmi.regions.chooser import YEARS
from shangmi.regions.models import Region


class RateTargetForm(BootstrapMixin, forms.Form):
    region = RegionChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEARS[0], max_value=YEARS[1])
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), choices=RateTarget.Metric.choices)
    percent = forms.DecimalField(
        label=gettext_lazy("Target (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        required=False,
        help_text=gettext_lazy(
            "Left blank: the programs' own numbers, 100% for the training rate of liaison-point enterprises "
            "and 90% for awareness."
        ),
    )

    def __init__(self, *args: Any, user: Any, target: RateTarget | None = None, **kwargs: Any) -> None:
        if target is not None:
            kwargs.setdefault(
                "initial",
                {"region": target.region_id, "year": target.year, "metric": target.metric, "percent": target.percent},
            )
        super().__init__(*args, **kwargs)
        model_choices(self, "region").queryset = target_regions(user, CHANGE if target is not None else ADD).order_by(
            "code"
        )
        if target is None:
            initial = self.initial
            initial.setdefault("year", program_year())
            metric = initial.get("metric") or RateTarget.Metric.TRAINING
            initial["metric"] = metric
            initial.setdefault("percent", DEFAULT_PERCENT.get(metric, DEFAULT_PERCENT[RateTarget.Metric.TRAINING]))
            if not initial.get("region") and user.home_region is not None:
                initial["region"] = user.home_region.pk
