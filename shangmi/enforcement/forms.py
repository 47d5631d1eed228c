"""Forms of the enforcement app: they check the shape of the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.core.forms import BootstrapMixin, upload_help
from shangmi.core.forms import MultipleFileField as KitMultipleFileField
from shangmi.core.uploads import ALL_KINDS, accepted_suffixes
from shangmi.enforcement.models import Demand, Mediation
from shangmi.enforcement.services import MAX_BYTES, DemandInput, demand_enterprises


class MultipleFileField(KitMultipleFileField):
    """The kit's field with the accepted types and the size limit of core.uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("accept", accepted_suffixes(ALL_KINDS))
        kwargs.setdefault("help_text", upload_help(MAX_BYTES))
        super().__init__(*args, **kwargs)


class DemandForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Demand.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Demand.Kind.choices)
    channel = forms.ChoiceField(label=_("Taken in"), choices=Demand.Channel.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.enterprise_id is not None:
            # An enterprise files for itself, online.
            del self.fields["enterprise"]
            del self.fields["channel"]
        else:
            field = self.fields["enterprise"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = demand_enterprises(user).order_by("name", "pk")

    def demand_input(self) -> DemandInput:
        data = self.cleaned_data
        return DemandInput(
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            channel=data.get("channel") or Demand.Channel.ONLINE,
            enterprise=data.get("enterprise"),
        )


class RateForm(forms.Form):
    rating = forms.IntegerField(label=_("Rating"), min_value=1, max_value=5)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class DeadlineForm(BootstrapMixin, forms.Form):
    start = forms.DateField(label=_("Start day (not counted)"), widget=forms.DateInput(attrs={"type": "date"}))
    working_days = forms.IntegerField(label=_("Working days"), min_value=0, max_value=400)


class ClueReportForm(BootstrapMixin, forms.Form):
    district = forms.CharField(
        label=_("District where it happened"),
        max_length=64,
        help_text=_("The district or county, e.g. 江津区 or 重庆市江北区, or its 6-digit code."),
    )
    against = forms.CharField(label=_("Who infringed (enterprise or person)"), max_length=200)
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Which information, when, how it was taken or used, and who can confirm it."),
    )
    real_name = forms.BooleanField(label=_("Report by name (you will be told of the decision)"), required=False)
    reporter_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    reporter_contact = forms.CharField(label=_("Phone or e-mail"), max_length=100, required=False)
    attachments = MultipleFileField(label=_("Evidence files"))
    answer = forms.CharField(label=_("Check question"), max_length=8)
    token = forms.CharField(widget=forms.HiddenInput)
    # People never see this field; a script that fills every field fills it.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


class TrackForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=32)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class MediationForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Demand.objects.none())
    route = forms.ChoiceField(label=_("Route"), choices=Mediation.Route.choices)
    counterparty = forms.CharField(label=_("Other party"), max_length=200)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Mediation.Outcome.choices)
    concluded_on = forms.DateField(
        label=_("Concluded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = demand_enterprises(user).order_by("name", "pk")
