"""Forms of the network pages. Choices never reach outside the user's scope; the services
check again, so a forged choice gets the same clear refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin, model_choices
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


# Above this many enterprises in the chosen district the station form asks for a park instead
# of listing them (a <select> of thousands of names is neither usable nor cheap to send).
ENTERPRISE_CHOICES = 1000


def _chosen(value: Any, choices: Any) -> Any:
    """The row a select holds (bound data or initial), if it is one of its choices."""
    pk = getattr(value, "pk", value)
    if pk in (None, ""):
        return None
    try:
        return choices.filter(pk=pk).first()
    except (ValueError, TypeError):
        return None


def officer_label(officer: User) -> str:
    region = officer.region.name if officer.region is not None else ""
    return f"{officer.display_name} ({region})" if region else officer.display_name


class _RegionChoice(forms.ModelChoiceField[Region]):
    def label_from_instance(self, obj: Region) -> str:
        return obj.full_name


class _OfficerChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return officer_label(obj)


class StationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=Station.Kind.choices)
    region = _RegionChoice(label=_("District"), queryset=Region.objects.none())
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)
    officer = _OfficerChoice(label=_("Guidance officer"), queryset=User.objects.none(), required=False)
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
            kwargs["initial"] = self.initial_of(station, user)
        super().__init__(*args, **kwargs)
        region = model_choices(self, "region")
        region.queryset = station_region_choices(user).order_by("code")
        model_choices(self, "park").queryset = Park.objects.restrict(user, VIEW).select_related("region")
        officer = model_choices(self, "officer")
        officer.queryset = officer_candidates(user).order_by("full_name", "username")
        self._offer_enterprises(user, station)

    def _offer_enterprises(self, user: Any, station: Station | None) -> None:
        """The enterprises a station may serve: those of its district in the user's scope (of
        its park, when the district has too many), plus those it serves already. A province's
        100,000 enterprises are never put in one list: above ENTERPRISE_CHOICES the list waits
        for a district or a park (changing either reloads the list through htmx)."""
        field = model_choices(self, "enterprises")
        field.widget.attrs.update({"class": "form-select", "size": "12"})
        for name in ("region", "park"):
            # The list follows the district and the park: re-render just that field.
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "",
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                    "hx-select": "#field-enterprises",
                    "hx-target": "#field-enterprises",
                    "hx-swap": "outerHTML",
                }
            )
        visible = Enterprise.objects.restrict(user, VIEW)
        region = _chosen(self["region"].value(), model_choices(self, "region").queryset)
        park = _chosen(self["park"].value(), model_choices(self, "park").queryset)
        offered = visible.none()
        if region is not None:
            offered = visible.filter(region__path__subtree=region.path)
        self.too_many = offered.count() if region is not None else 0
        if park is not None and (region is None or self.too_many > ENTERPRISE_CHOICES):
            # A large district: the park's own enterprises instead.
            offered = visible.filter(park=park)
            self.too_many = offered.count()
        if self.too_many > ENTERPRISE_CHOICES:
            offered = visible.none()
            field.help_text = _("%(count)s enterprises there: choose a district or a park to list them.") % {
                "count": f"{self.too_many:,}"
            }
        elif region is None and park is None:
            field.help_text = _("Choose the district (or the park) first: the list shows its enterprises.")
        serving = station.enterprises.values("pk") if station is not None else Enterprise.objects.none()
        field.queryset = visible.filter(Q(pk__in=offered.values("pk")) | Q(pk__in=serving)).order_by("name", "pk")

    @staticmethod
    def initial_of(station: Station, user: Any) -> dict[str, Any]:
        return {
            **{name: getattr(station, name) for name in STATION_FIELDS},
            "enterprises": list(station.enterprises.restrict(user, VIEW).values_list("pk", flat=True)),
        }

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
