"""Forms of the activity ledger, trainings and rate targets. They parse; the rules live in
shangmi.ledgers.activities.services and shangmi.ledgers.rates.services. Choices never reach outside the
user's scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shangmi.core.filetypes import documents_and_photos_accept
from shangmi.core.forms import BootstrapMixin, model_choices
from shangmi.core.forms import MultipleFileField as KitMultipleFileField
from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.activities.services import activity_enterprises, activity_parks, activity_regions
from shangmi.ledgers.models import Activity
from shangmi.regions.models import Region

IMPORT_SUFFIXES = (".xlsx", ".csv")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def region_label(region: Region) -> str:
    return region.full_name


class RegionChoiceField(forms.ModelChoiceField[Region]):
    """Regions by their full name: 江北区 alone is ambiguous across a province."""

    def label_from_instance(self, obj: Region) -> str:
        return region_label(obj)


class EnterpriseChoicesField(forms.ModelMultipleChoiceField[Enterprise]):
    """Enterprises by name and credit code: two enterprises may share a name."""

    def label_from_instance(self, obj: Enterprise) -> str:
        return f"{obj.name} ({obj.uscc})"


class EnterpriseNameField(forms.ModelChoiceField[Enterprise]):
    def label_from_instance(self, obj: Enterprise) -> str:
        return obj.name


class MultipleFileField(KitMultipleFileField):
    """The kit's field offering documents and photos."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("accept", documents_and_photos_accept())
        super().__init__(*args, **kwargs)


class ActivityForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Activity name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Activity.Kind.choices)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=255)
    organiser = forms.CharField(label=gettext_lazy("Organiser"), max_length=200)
    region = RegionChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.none())
    park = forms.ModelChoiceField(label=gettext_lazy("Park"), queryset=Region.objects.none(), required=False)
    enterprises = EnterpriseChoicesField(
        label=gettext_lazy("Enterprises taking part"),
        queryset=Enterprise.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Enterprises of participants added or imported later join the list by themselves."),
    )
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 5}))
    materials = MultipleFileField(
        label=gettext_lazy("Materials"),
        required=False,
        help_text=gettext_lazy(
            "Slides, sign-in sheets, photos: PDF, OFD, Office files, JPEG or PNG, at most 20 MB each. "
            "Several files may be chosen at once."
        ),
    )

    def __init__(self, *args: Any, user: Any, activity: Activity | None = None, **kwargs: Any) -> None:
        if activity is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": activity.name,
                    "kind": activity.kind,
                    "starts_at": activity.starts_at,
                    "place": activity.place,
                    "organiser": activity.organiser,
                    "region": activity.region_id,
                    "park": activity.park_id,
                    "enterprises": list(activity.enterprises.values_list("pk", flat=True)),
                    "content": activity.content,
                },
            )
        else:
            home = user.home_region
            kwargs.setdefault(
                "initial",
                {
                    "kind": Activity.Kind.TRAINING,
                    "region": home.pk if home is not None else None,
                    "park": user.park_id,
                },
            )
        super().__init__(*args, **kwargs)
        model_choices(self, "region").queryset = activity_regions(user).order_by("code")
        park = model_choices(self, "park")
        park.queryset = activity_parks(user)
        if user.role == Role.PARK_OPERATOR:
            park.required = True
        model_choices(self, "enterprises").queryset = activity_enterprises(user).order_by("name")


class ParticipantForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    enterprise = EnterpriseNameField(
        label=gettext_lazy("Enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=gettext_lazy("— not from an enterprise —"),
        help_text=gettext_lazy(
            "To add people of another enterprise, add it to the activity first, or import a list naming it."
        ),
    )
    employee_no = forms.CharField(label=gettext_lazy("Employee number"), max_length=64, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    position = forms.CharField(label=gettext_lazy("Position"), max_length=64, required=False)

    def __init__(self, *args: Any, user: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "enterprise").queryset = (
            activity_enterprises(user).filter(activities=activity).order_by("name")
        )


class MaterialForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": documents_and_photos_accept(), "class": "form-control"}),
    )


class ParticipantImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, do not import"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        limit = settings.SHANGMI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)d MB; at most %(limit)d MB can be imported at once.")
                % {"size": upload.size // (1024 * 1024) + 1, "limit": limit // (1024 * 1024)}
            )
        head = upload.read(4)
        upload.seek(0)
        if suffix == ".xlsx" and head != b"PK\x03\x04":
            raise forms.ValidationError(_("The file is not an Excel .xlsx workbook."))
        return upload


__all__ = [
    "ActivityForm",
    "MaterialForm",
    "ParticipantForm",
    "ParticipantImportForm",
]
