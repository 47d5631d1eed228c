"""Forms of the expert pool; every write goes through services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import bootstrap_widgets, label_choices, model_choices
from shangmi.core.roles import Role
from shangmi.core.scoping import restricted
from shangmi.experts.models import ExpertProfile, Field


class FieldsMixin(forms.Form):
    fields_of_expertise = forms.MultipleChoiceField(
        label=_("Fields of expertise"), choices=Field.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    title = forms.CharField(label=_("Professional title"), max_length=64, required=False)


class RegisterForm(FieldsMixin):
    expert = forms.ModelChoiceField(label=_("Expert account"), queryset=User.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Expert accounts the bureau may read that are not in the pool yet.
        expert = model_choices(self, "expert")
        expert.queryset = (
            restricted(User, user)
            .filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=True)
            .order_by("full_name", "username")
        )
        label_choices(expert, lambda u: f"{u.display_name} · {u.region.full_name if u.region else ''}")
        bootstrap_widgets(self)


class ProfileForm(FieldsMixin):
    availability = forms.ChoiceField(label=_("Availability"), choices=ExpertProfile.Availability.choices)
    unavailable_until = forms.DateField(
        label=_("Unavailable until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    @staticmethod
    def initial_of(profile: ExpertProfile) -> dict[str, Any]:
        return {
            "fields_of_expertise": [e.field for e in profile.expertise.all()],
            "title": profile.title,
            "availability": profile.availability,
            "unavailable_until": profile.unavailable_until,
        }


class ConflictForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    name = forms.CharField(label=_("Enterprise"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
