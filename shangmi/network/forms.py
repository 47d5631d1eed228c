"""Forms of the network pages. Choices never reach outside the user's scope; the services
check again, so a forged choice gets the same clear refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin
from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.network.models import Station
from shangmi.network.services import AssignAction, officer_candidates, station_region_choices
from shangmi.regions.models import Park, Region

STATION_FIELDS = (
    "name",
    "kind",
    "region",
    "park",
    "officer",
    "address",
    "contact_phone",
    "established_on",
)


def officer_label(officer: User) -> str:
    region = officer.region.name if officer.region_id else ""
    return f"{officer.display_name} ({region})" if region else officer.display_name


class StationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=Station.Kind.choices)
    region = forms.ModelChoiceField(label=_("District"), queryset=Region.objects.none())
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    officer = forms.ModelChoiceField(label=_("Guidance officer"), queryset=User.objects.none(), required=False)
    enterprises = forms.ModelMultipleChoiceField(
        label=_("Enterprises served"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    established_on = forms.DateField(
        label=_("Established"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, user: Any, station: Station | None = None, **kwargs: Any) -> None:
        if station is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(station, name) for name in STATION_FIELDS},
                "enterprises": list(station.enterprises.restrict(user, VIEW).values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.queryset = station_region_choices(user).order_by("code")
        region.label_from_instance = lambda r: r.full_name
        self.fields["park"].queryset = Park.objects.restrict(user, VIEW).select_related("region")
        officer = self.fields["officer"]
        officer.queryset = officer_candidates(user).order_by("full_name", "username")
        officer.label_from_instance = officer_label
        enterprises = self.fields["enterprises"]
        enterprises.queryset = Enterprise.objects.restrict(user, VIEW).order_by("name", "pk")
        enterprises.widget.attrs.update({"class": "form-select", "size": "12"})

    def station_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in STATION_FIELDS}


class AssignForm(BootstrapMixin, forms.Form):
    """What to do with the ticked enterprises. The enterprise ids are read raw from the
    request: the service, not the form, says which are out of scope, and why."""

    action = forms.ChoiceField(label=_("Action"), choices=[("", "—"), *AssignAction.choices])
    # A plain id: an officer outside the region, posted by hand, reaches the service, which
    # refuses it with its own message rather than the form's "not one of the choices".
    officer = forms.IntegerField(label=_("Officer"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].widget.choices = [
            ("", "—"),
            *((o.pk, officer_label(o)) for o in officer_candidates(user).order_by("full_name", "username")),
        ]


class AssignFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    key = forms.BooleanField(label=_("Key enterprises only"), required=False)
    gaps = forms.BooleanField(label=_("Gaps only"), required=False)
