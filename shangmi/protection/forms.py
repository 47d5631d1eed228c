"""Forms of the protection system: they check the shape of the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin, model_choices
from shangmi.protection.models import Grade, Measure, Person, SecretPoint, Subject, TermKind
from shangmi.protection.services import SecretPointInput, enterprise_people

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def subject_choices() -> list[tuple[Any, Any]]:
    """The SPC's kinds of information, grouped by type (the type follows from the kind)."""
    technical = [(value, label) for value, label in Subject.choices if value.startswith("tech.")]
    business = [(value, label) for value, label in Subject.choices if value.startswith("biz.")]
    return [("", "---------"), (_("Technical information"), technical), (_("Business information"), business)]


class DecisionFields(forms.Form):
    """Who approved a step, on what day, and why (a filed secret point's change, 定密, 解密, 销毁)."""

    approver = forms.CharField(
        label=_("Approved by"), max_length=100, required=False, help_text=_("Name and post, e.g. 王某（总经理）.")
    )
    on = forms.DateField(label=_("Decided on"), required=False, widget=DATE, help_text=_("Empty: today."))
    note = forms.CharField(label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SecretPointForm(BootstrapMixin, DecisionFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What it covers, in words that do not disclose it."),
    )
    subject = forms.ChoiceField(label=_("Kind of information"), choices=subject_choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    term_kind = forms.ChoiceField(label=_("Term"), choices=TermKind.choices, widget=forms.RadioSelect)
    term_until = forms.DateField(label=_("Kept secret until"), required=False, widget=DATE)
    department = forms.CharField(label=_("Owning department"), max_length=100)
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=Person.objects.none())
    circle = forms.ModelMultipleChoiceField(
        label=_("Circle of knowledge"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people allowed to know it; the responsible person always is."),
    )
    location = forms.CharField(label=_("Where it is kept"), max_length=200)
    measures = forms.MultipleChoiceField(
        label=_("Protection measures"), choices=Measure.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    measures_note = forms.CharField(
        label=_("Measures in detail"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "name", "description", "subject", "grade", "term_kind", "term_until", "department", "responsible",
        "circle", "location", "measures", "measures_note", "approver", "on", "note",
    ]  # fmt: skip

    def __init__(self, *args: Any, user: User, decision: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = enterprise_people(user).filter(left_on__isnull=True).order_by("name", "pk")
        model_choices(self, "responsible").queryset = people
        model_choices(self, "circle").queryset = people
        if not decision:
            # A proposal needs no approver yet: it is approved when it is filed.
            del self.fields["approver"]
            del self.fields["on"]

    @classmethod
    def initial_of(cls, point: SecretPoint) -> dict[str, Any]:
        return {
            "name": point.name,
            "description": point.description,
            "subject": point.subject,
            "grade": point.grade,
            "term_kind": point.term_kind,
            "term_until": point.term_until,
            "department": point.department,
            "responsible": point.responsible_id,
            "circle": [person.pk for person in point.circle.all()],
            "location": point.location,
            "measures": point.measures,
            "measures_note": point.measures_note,
        }

    def secret_point_input(self) -> SecretPointInput:
        data = self.cleaned_data
        return SecretPointInput(
            name=data["name"],
            description=data["description"],
            subject=data["subject"],
            grade=data["grade"],
            term_kind=data["term_kind"],
            term_until=data["term_until"],
            department=data["department"],
            responsible=data["responsible"],
            circle=list(data["circle"]),
            location=data["location"],
            measures=data["measures"],
            measures_note=data["measures_note"],
        )


class DecisionForm(BootstrapMixin, DecisionFields):
    pass
