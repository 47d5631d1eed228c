"""Forms of the targets pages. Choices never reach outside the user's scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.calendar import program_year
from shangmi.core.errors import AppError
from shangmi.core.forms import BootstrapMixin, label_choices, model_choices
from shangmi.core.scoping import ADD
from shangmi.creation.models import DemoType, Level
from shangmi.regions.chooser import YEARS
from shangmi.regions.models import Region
from shangmi.targets.models import Metric, Target, TargetProgram
from shangmi.targets.services import parse_shares, scoped_regions

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class _KindForm(BootstrapMixin, forms.Form):
    """metric / demo_type / levels: a coaching target has neither type nor levels."""

    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=gettext_lazy("Region"))
    metric = forms.ChoiceField(label=gettext_lazy("Metric"), choices=Metric.choices)
    demo_type = forms.ChoiceField(
        label=gettext_lazy("Demonstration type"),
        choices=[("", "—"), *DemoType.choices],
        required=False,
        help_text=gettext_lazy("Not used for the coaching metric."),
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("Levels"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("A title of any of the chosen levels counts (e.g. municipal and county)."),
    )

    def _set_regions(self, queryset: QuerySet[Region]) -> None:
        field = model_choices(self, "region")
        field.queryset = queryset.order_by("code")
        label_choices(field, lambda r: r.full_name)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("metric") == Metric.COACHING:
            data["demo_type"], data["levels"] = "", []
        else:
            if not data.get("demo_type"):
                self.add_error("demo_type", _("Choose the demonstration type this target counts."))
            if not data.get("levels"):
                self.add_error("levels", _("Choose at least one level."))
        data["levels"] = ",".join(data.get("levels") or [])
        return data


class TargetForm(_KindForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEARS[0], max_value=YEARS[1])
    minimum = forms.IntegerField(label=gettext_lazy("Minimum"), min_value=0)
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    field_order = ["region", "year", "metric", "demo_type", "levels", "minimum", "deadline"]

    def __init__(self, *args: Any, user: Any, action: str, instance: Target | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"year": program_year()}
        if instance is not None:
            initial = {
                "region": instance.region_id,
                "year": instance.year,
                "metric": instance.metric,
                "demo_type": instance.demo_type,
                "levels": instance.level_list,
                "minimum": instance.minimum,
                "deadline": instance.deadline,
            }
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self._set_regions(scoped_regions(user, action))


class ProgramForm(_KindForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    total = forms.IntegerField(label=gettext_lazy("Total over all years"), min_value=0)
    start_year = forms.IntegerField(label=gettext_lazy("First year"), min_value=YEARS[0], max_value=YEARS[1])
    shares = forms.CharField(
        label=gettext_lazy("Shares per year (%)"),
        help_text=gettext_lazy("One percentage per year from the first year on; they add up to 100."),
    )
    field_order = ["region", "title", "metric", "demo_type", "levels", "total", "start_year", "shares"]

    def __init__(
        self, *args: Any, user: Any, action: str, instance: TargetProgram | None = None, **kwargs: Any
    ) -> None:
        initial: dict[str, Any] = {"start_year": program_year(), "shares": "20, 40, 40"}
        if instance is not None:
            initial = {
                "region": instance.region_id,
                "title": instance.title,
                "metric": instance.metric,
                "demo_type": instance.demo_type,
                "levels": [code for code in instance.levels.split(",") if code],
                "total": instance.total,
                "start_year": instance.start_year,
                "shares": ", ".join(str(share) for share in instance.shares),
            }
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self._set_regions(scoped_regions(user, action, TargetProgram))

    def clean_shares(self) -> list[int]:
        # The service's rule, shown on the field as soon as the form is checked.
        try:
            return parse_shares(self.cleaned_data["shares"])
        except AppError as exc:
            raise ValidationError(exc.text, code=exc.code) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, shares = data.get("start_year"), data.get("shares")
        if start and shares and start + len(shares) - 1 > YEARS[1]:
            self.add_error("shares", _("The program runs past %(year)d.") % {"year": YEARS[1]})
        return data


class TargetImportForm(BootstrapMixin, forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=gettext_lazy("Region the table divides"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEARS[0], max_value=YEARS[1])
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for 30 September, when cultivation lists are due."),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, do not import"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a region with districts below it takes a breakdown table.
        regions = scoped_regions(user, ADD).exclude(level=Region.Level.DISTRICT).order_by("code")
        field = model_choices(self, "region")
        field.queryset = regions
        label_choices(field, lambda r: r.full_name)
        home = getattr(user, "home_region", None)
        if home is not None and regions.filter(pk=home.pk).exists():
            field.initial = home.pk
        self.fields["year"].initial = program_year()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        limit = settings.SHANGMI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)d MB; at most %(limit)d MB can be imported at once.")
                % {"size": upload.size // (1024 * 1024) + 1, "limit": limit // (1024 * 1024)}
            )
        head = upload.read(4)
        upload.seek(0)
        if suffix == ".xlsx" and head != b"PK\x03\x04":
            raise ValidationError(_("The file is not an Excel .xlsx workbook."))
        return upload


class CoachingAddForm(BootstrapMixin, forms.Form):
    enterprise = forms.CharField(
        label=gettext_lazy("Enterprise"),
        max_length=200,
        help_text=gettext_lazy("Unified social credit code or the exact name of an enterprise in the region."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
