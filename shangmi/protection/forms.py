"""Forms of the protection system: they check the shape of the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin, model_choices
from shangmi.core.scoping import CHANGE, restricted
from shangmi.protection.models import (
    Agreement,
    Area,
    Carrier,
    CarrierEvent,
    Engagement,
    Grade,
    Measure,
    Person,
    SecretPoint,
    Subject,
    TermKind,
)
from shangmi.protection.services import (
    AgreementInput,
    AreaInput,
    CarrierInput,
    CarrierLogInput,
    DisclosureInput,
    EngagementInput,
    PersonInput,
    SecretPointInput,
    VisitInput,
    enterprise_people,
    linkable_accounts,
)

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


class PersonForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    post = forms.CharField(label=_("Post"), max_length=100, required=False)
    post_category = forms.ChoiceField(label=_("Post category"), choices=Person.PostCategory.choices)
    grade = forms.ChoiceField(label=_("Confidentiality grade"), choices=Grade.choices)
    account = forms.ModelChoiceField(
        label=_("Platform account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A staff member linked to an account reads the secret points whose circle names them."),
    )
    hired_on = forms.DateField(label=_("Hired on"), required=False, widget=DATE)
    left_on = forms.DateField(label=_("Left on"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: User, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "account").queryset = linkable_accounts(user, person).order_by("username")

    @classmethod
    def initial_of(cls, person: Person) -> dict[str, Any]:
        names = ("name", "department", "post", "post_category", "grade", "hired_on", "left_on")
        return {name: getattr(person, name) for name in names} | {"account": person.account_id}

    def person_input(self) -> PersonInput:
        return PersonInput(**self.cleaned_data)


def money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=12, decimal_places=2, min_value=0)


class AgreementForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices, widget=forms.RadioSelect)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DATE,
        help_text=_("Empty: the day it was signed. A non-compete starts when the employment ends."),
    )
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    scope_text = forms.CharField(
        label=_("Scope"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What must be kept secret, or which business the person may not take up."),
    )
    area = forms.CharField(label=_("Area (non-compete)"), max_length=200, required=False)
    average_monthly_wage = money(_("Average monthly wage of the last 12 months (yuan)"))
    monthly_compensation = money(_("Monthly compensation (yuan)"))
    penalty = forms.DecimalField(label=_("Penalty for breach (yuan)"), required=False, max_digits=14,
                                 decimal_places=2, min_value=0)  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "person").queryset = enterprise_people(user).order_by("name", "pk")

    @classmethod
    def initial_of(cls, agreement: Agreement) -> dict[str, Any]:
        names = ("kind", "signed_on", "starts_on", "ends_on", "scope_text", "area", "average_monthly_wage",
                 "monthly_compensation", "penalty", "note")  # fmt: skip
        return {name: getattr(agreement, name) for name in names} | {"person": agreement.person_id}

    def agreement_input(self) -> AgreementInput:
        return AgreementInput(**self.cleaned_data)


class CarrierForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Carrier number"), max_length=64, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    secret_points = forms.ModelMultipleChoiceField(
        label=_("Secret points"), queryset=SecretPoint.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    form = forms.ChoiceField(label=_("Form"), choices=Carrier.Form.choices)
    grade_mark = forms.ChoiceField(
        label=_("Grade mark"), choices=Grade.choices, help_text=_("Not lower than its highest secret point.")
    )
    custodian = forms.ModelChoiceField(label=_("Custodian"), queryset=Person.objects.none())
    location = forms.CharField(label=_("Where it is kept"), max_length=200)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=100000, initial=1)

    def __init__(self, *args: Any, user: User, carrier: Carrier | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = restricted(SecretPoint, user, CHANGE)  # the enterprise's own: only its admins change them
        live = points.filter(status__in=(SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED))
        if carrier is not None:  # its own secret points stay choosable whatever became of them
            live = points.filter(Q(pk__in=live.values("pk")) | Q(carriers=carrier)).distinct()
            del self.fields["copies"]  # the log changes the copies
        model_choices(self, "secret_points").queryset = live.order_by("name", "pk")
        model_choices(self, "custodian").queryset = enterprise_people(user).order_by("name", "pk")

    @classmethod
    def initial_of(cls, carrier: Carrier) -> dict[str, Any]:
        names = ("number", "name", "form", "grade_mark", "location")
        return {name: getattr(carrier, name) for name in names} | {
            "custodian": carrier.custodian_id,
            "secret_points": [point.pk for point in carrier.secret_points.all()],
        }

    def carrier_input(self) -> CarrierInput:
        data = self.cleaned_data
        return CarrierInput(
            number=data["number"], name=data["name"], secret_points=list(data["secret_points"]), form=data["form"],
            grade_mark=data["grade_mark"], custodian=data["custodian"], location=data["location"],
            copies=data.get("copies") or 1,
        )  # fmt: skip


class CarrierLogForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(kind.value, kind.label) for kind in CarrierEvent.Kind if kind != CarrierEvent.Kind.HANDOVER],
    )
    person = forms.ModelChoiceField(label=_("Who"), queryset=Person.objects.none(), required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=100000, initial=1)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
    approver = forms.CharField(
        label=_("Approved by"), max_length=100, required=False, help_text=_("Needed to copy or destroy.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "person").queryset = enterprise_people(user).order_by("name", "pk")

    def log_input(self) -> CarrierLogInput:
        return CarrierLogInput(**self.cleaned_data)


class DepartureForm(BootstrapMixin, forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE)


class EngagementForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Engagement.Kind.choices)
    counterparty = forms.CharField(label=_("Counterparty"), max_length=200)
    counterparty_uscc = forms.CharField(label=_("Counterparty's credit code"), max_length=18, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    agreement_signed_on = forms.DateField(
        label=_("Confidentiality agreement signed on"),
        required=False,
        widget=DATE,
        help_text=_("No secret point may be disclosed before this day."),
    )
    agreement_ref = forms.CharField(label=_("Agreement number or title"), max_length=200, required=False)

    @classmethod
    def initial_of(cls, engagement: Engagement) -> dict[str, Any]:
        return {name: getattr(engagement, name) for name in cls.base_fields}

    def engagement_input(self) -> EngagementInput:
        return EngagementInput(**self.cleaned_data)


class DisclosureForm(BootstrapMixin, forms.Form):
    secret_point = forms.ModelChoiceField(label=_("Secret point"), queryset=SecretPoint.objects.none())
    what = forms.CharField(label=_("What was handed over"), max_length=500)
    on = forms.DateField(label=_("Disclosed on"), required=False, widget=DATE, help_text=_("Empty: today."))
    approver = forms.CharField(label=_("Approved by"), max_length=100)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        live = restricted(SecretPoint, user, CHANGE).filter(
            status__in=(SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED)
        )
        model_choices(self, "secret_point").queryset = live.order_by("name", "pk")

    def disclosure_input(self) -> DisclosureInput:
        return DisclosureInput(**self.cleaned_data)


class EngagementEndForm(BootstrapMixin, forms.Form):
    ending = forms.ChoiceField(label=_("At the end"), choices=Engagement.Ending.choices)
    on = forms.DateField(label=_("Ended on"), required=False, widget=DATE, help_text=_("Empty: today."))
    note = forms.CharField(label=_("How it was returned or destroyed"), max_length=500, required=False)


class AreaForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    access_rule = forms.CharField(
        label=_("Access rule"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Access control, no photography, devices allowed."),
    )
    allowed = forms.ModelMultipleChoiceField(
        label=_("Who may enter"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    secret_points = forms.ModelMultipleChoiceField(
        label=_("Secret points kept there"),
        queryset=SecretPoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    visitor_approval = forms.BooleanField(label=_("Visitors need approval"), required=False, initial=True)
    escort_required = forms.BooleanField(label=_("Visitors are escorted"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "allowed").queryset = enterprise_people(user).filter(left_on__isnull=True)
        model_choices(self, "secret_points").queryset = restricted(SecretPoint, user, CHANGE).order_by("name", "pk")

    @classmethod
    def initial_of(cls, area: Area) -> dict[str, Any]:
        names = ("name", "grade", "access_rule", "visitor_approval", "escort_required")
        return {name: getattr(area, name) for name in names} | {
            "allowed": [person.pk for person in area.allowed.all()],
            "secret_points": [point.pk for point in area.secret_points.all()],
        }

    def area_input(self) -> AreaInput:
        data = self.cleaned_data
        return AreaInput(
            name=data["name"], grade=data["grade"], access_rule=data["access_rule"], allowed=list(data["allowed"]),
            secret_points=list(data["secret_points"]), visitor_approval=data["visitor_approval"],
            escort_required=data["escort_required"],
        )  # fmt: skip


class VisitForm(BootstrapMixin, forms.Form):
    visitor = forms.CharField(label=_("Visitor"), max_length=64)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
    entered = forms.TimeField(label=_("Entered at"), widget=forms.TimeInput(attrs={"type": "time"}))
    left = forms.TimeField(label=_("Left at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    approver = forms.CharField(label=_("Approved by"), max_length=100, required=False)
    escort = forms.ModelChoiceField(label=_("Escort"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "escort").queryset = enterprise_people(user).order_by("name", "pk")

    def visit_input(self) -> VisitInput:
        return VisitInput(**self.cleaned_data)
