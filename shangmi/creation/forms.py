"""Forms of demonstration creation; the rules live in services, forms only parse."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today, program_year
from shangmi.core.forms import bootstrap_widgets, label_choices, model_choices
from shangmi.creation.evidence import accepted_types
from shangmi.creation.models import DemoType, Inspection, Level
from shangmi.regions.models import Region
from shangmi.standards.models import Standard

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    demo_type = forms.ChoiceField(label=_("Demonstration type"), choices=DemoType.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=Standard.objects.all())
    deadline = forms.DateField(label=_("Application deadline"), widget=DATE)
    covered_regions = forms.ModelMultipleChoiceField(
        label=_("Regions covered"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to cover the whole region."),
    )
    review_days = forms.IntegerField(label=_("Days per review stage"), min_value=1, max_value=365, initial=20)
    validity_years = forms.IntegerField(label=_("Validity of the title (years)"), min_value=1, max_value=10, initial=3)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if region is not None:
            model_choices(self, "covered_regions").queryset = Region.objects.filter(parent=region).order_by("code")
        # Each standard says where it applies (the service refuses one of another region).
        standard = model_choices(self, "standard")
        standard.queryset = Standard.objects.select_related("region")
        label_choices(standard, lambda s: f"{s} · {s.region.full_name if s.region else _('National')}")
        self.fields["year"].initial = program_year()
        bootstrap_widgets(self)

    def clean_deadline(self) -> datetime.date:
        deadline = self.cleaned_data["deadline"]
        if deadline < program_today():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": accepted_types()}))
    items = forms.MultipleChoiceField(label=_("Items it supports"), choices=(), required=False)

    def __init__(self, *args: Any, item_codes: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["items"]
        if isinstance(items, forms.ChoiceField):  # declared above as one
            items.choices = list(item_codes)
        bootstrap_widgets(self)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=300)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
