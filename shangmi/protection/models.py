"""The enterprise's own protection system: its secret points (密点) with their lifecycle, the
people who know them (涉密人员) and their agreements, the carriers (载体) and their log.

Everything here is the enterprise's alone (``enterprise_private``): no bureau and not even a
platform administrator reads it through the application. Inside the enterprise its admins
read every record; a staff member reads a secret point only when in its circle of knowledge
(``Scope.members``), their own person record and agreements, and the carriers in their custody.
Fields and choices follow the SPC's 2020 provisions (art. 1 for the kinds of information,
art. 6 for the measures), the local standards and the 国资委 2010 rules (grade, term, circle);
see ../shared/reference/protection-system.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope

# The enterprise's admins keep the registers; its staff read what names them (Scope.members).
ADMIN_KEEPS: dict[str, frozenset[str]] = {Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE})}


class Grade(models.TextChoices):
    """A secret's grade (核心/重要/一般), a person's and a carrier's mark alike. In order."""

    CORE = "core", _("Core secret")
    IMPORTANT = "important", _("Important secret")
    GENERAL = "general", _("General secret")


# Higher first: a carrier's mark may not be below its highest secret point.
GRADE_RANK = {Grade.CORE: 3, Grade.IMPORTANT: 2, Grade.GENERAL: 1}


class Category(models.TextChoices):
    TECHNICAL = "technical", _("Technical information")
    BUSINESS = "business", _("Business information")


class Subject(models.TextChoices):
    """What the information is, in the words of the SPC's 2020 provisions on trade secret cases
    (最高人民法院关于审理侵犯商业秘密民事案件适用法律若干问题的规定, art. 1)."""

    TECH_STRUCTURE = "tech.structure", _("Structure")
    TECH_RAW_MATERIAL = "tech.raw_material", _("Raw materials")
    TECH_COMPOSITION = "tech.composition", _("Components")
    TECH_FORMULA = "tech.formula", _("Formula")
    TECH_MATERIAL = "tech.material", _("Materials")
    TECH_SAMPLE = "tech.sample", _("Samples")
    TECH_STYLE = "tech.style", _("Styles")
    TECH_PLANT = "tech.plant", _("Propagating material of new plant varieties")
    TECH_PROCESS = "tech.process", _("Process")
    TECH_METHOD = "tech.method", _("Method or its steps")
    TECH_ALGORITHM = "tech.algorithm", _("Algorithm")
    TECH_DATA = "tech.data", _("Technical data")
    TECH_SOFTWARE = "tech.software", _("Computer programs and their documentation")
    TECH_OTHER = "tech.other", _("Other technical information")
    BIZ_IDEA = "biz.idea", _("Business ideas")
    BIZ_MANAGEMENT = "biz.management", _("Management information")
    BIZ_SALES = "biz.sales", _("Sales information")
    BIZ_FINANCE = "biz.finance", _("Financial information")
    BIZ_PLAN = "biz.plan", _("Plans")
    BIZ_SPECIMEN = "biz.specimen", _("Business specimens")
    BIZ_BIDDING = "biz.bidding", _("Bidding and tender documents")
    BIZ_CUSTOMER = "biz.customer", _("Customer information")
    BIZ_DATA = "biz.data", _("Business data")
    BIZ_OTHER = "biz.other", _("Other business information")


def subject_category(subject: str) -> str:
    return Category.TECHNICAL if subject.startswith("tech.") else Category.BUSINESS


class TermKind(models.TextChoices):
    """How long a secret point is kept secret (国资委 2010: a date, 长期 or 公布前)."""

    UNTIL_DATE = "date", _("Until a date")
    LONG_TERM = "long_term", _("Long-term")
    UNTIL_PUBLISHED = "until_published", _("Until published")


class Measure(models.TextChoices):
    """The measures the SPC's 2020 provisions (art. 6) hold sufficient under normal circumstances."""

    AGREEMENT = "agreement", _("Confidentiality agreement or contract clause")
    REQUIREMENTS = "requirements", _("Requirements made known by rules, training or written notice")
    PREMISES = "premises", _("Restricted or zoned premises")
    MARKING = "marking", _("Marked, classified, isolated, encrypted or sealed; circle of knowledge limited")
    DEVICES = "devices", _("Use, access, storage and copying restricted on devices, networks and software")
    DEPARTURE = "departure", _("Departing staff register, return, erase or destroy, and keep the duty")
    OTHER = "other", _("Other reasonable measures")


class Person(models.Model):
    """One of the enterprise's people who know its secrets (涉密人员), with or without an
    account on the platform. A staff member's account linked here reads what names them."""

    class PostCategory(models.TextChoices):
        """Who may be bound by a non-compete (劳动合同法 art. 24)."""

        SENIOR_MANAGEMENT = "senior_management", _("Senior management")
        SENIOR_TECHNICIAN = "senior_technician", _("Senior technical staff")
        OTHER = "other", _("Other staff")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=64)
    department = models.CharField(_("department"), max_length=100, blank=True)
    post = models.CharField(_("post"), max_length=100, blank=True)
    post_category = models.CharField(
        _("post category"), max_length=32, choices=PostCategory.choices, default=PostCategory.OTHER
    )
    grade = models.CharField(_("confidentiality grade"), max_length=16, choices=Grade.choices, default=Grade.GENERAL)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("platform account"),
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(enterprises=("enterprise",), members=("account",), enterprise_private=True, grants=ADMIN_KEEPS)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("confidential person")
        verbose_name_plural = _("confidential personnel")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(account__isnull=False), name="protection_person_one_account"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("protection:person_detail", args=[self.pk])


class SecretPoint(models.Model):
    """A secret point (密点) in the enterprise's register. Its state changes only through its
    append-only events (SecretPointEvent), each with who approved it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("secret point", "Proposed")
        FILED = "filed", _("Classified and filed")
        DECLASSIFIED = "declassified", _("Declassified")
        DESTROYED = "destroyed", _("Destroyed")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it covers, in words that do not disclose it.")
    )
    category = models.CharField(_("type"), max_length=16, choices=Category.choices)
    subject = models.CharField(_("kind of information"), max_length=32, choices=Subject.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    term_kind = models.CharField(_("term"), max_length=16, choices=TermKind.choices)
    term_until = models.DateField(_("kept secret until"), null=True, blank=True)
    department = models.CharField(_("owning department"), max_length=100)
    responsible = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="responsible_for", verbose_name=_("responsible person")
    )
    circle = models.ManyToManyField(Person, related_name="secret_points", verbose_name=_("circle of knowledge"))
    location = models.CharField(_("where it is kept"), max_length=200)
    measures = models.JSONField(_("protection measures"), default=list)  # Measure values
    measures_note = models.TextField(_("measures in detail"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)

    scope = Scope(
        enterprises=("enterprise",), members=("circle__account",), enterprise_private=True, grants=ADMIN_KEEPS
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("secret point")
        verbose_name_plural = _("secret points")
        indexes = [models.Index(fields=["enterprise", "status"], name="protection_sp_ent_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("protection:secret_point_detail", args=[self.pk])

    def measure_labels(self) -> list[str]:
        labels = dict(Measure.choices)
        return [str(labels.get(value, value)) for value in self.measures]

    def term_display(self) -> str:
        if self.term_kind == TermKind.UNTIL_DATE and self.term_until is not None:
            return self.term_until.isoformat()
        return str(self.get_term_kind_display())

    def term_ended(self, today: datetime.date) -> bool:
        return self.term_kind == TermKind.UNTIL_DATE and self.term_until is not None and self.term_until < today

    @property
    def is_live(self) -> bool:
        """Still a secret: proposed or filed, not yet declassified or destroyed."""
        return self.status in (self.Status.PROPOSED, self.Status.FILED)


class SecretPointEvent(models.Model):
    """One step of a secret point's life (提出, 定密, 变更, 解密, 销毁): append-only, with who
    recorded it, who approved it and on what day it was decided."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("secret point", "Proposed")
        FILED = "filed", _("Classified and filed")
        CHANGED = "changed", pgettext_lazy("secret point", "Changed")
        DECLASSIFIED = "declassified", _("Declassified")
        DESTROYED = "destroyed", _("Destroyed")

    secret_point = models.ForeignKey(SecretPoint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.CharField(_("approved by"), max_length=100, blank=True)
    on = models.DateField(_("decided on"))
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    # For a change: {field name: [before, after]}, the values as the recorder read them.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.secret_point_id} {self.kind}"

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field's name in the reader's language, before, after) for each changed field."""
        labels = {f.name: f.verbose_name for f in SecretPoint._meta.get_fields() if hasattr(f, "verbose_name")}

        def shown(value: object) -> object:
            return "、".join(str(item) for item in value) if isinstance(value, list) else value

        return [
            (str(labels.get(name, name)), shown(before), shown(after)) for name, (before, after) in self.changes.items()
        ]


class Agreement(models.Model):
    """A person's confidentiality agreement (保密协议: when, what it covers) or non-compete
    agreement (竞业限制协议: term, monthly compensation, area, scope, penalty), the latter
    checked against the labour-law bounds in force when it starts (rules.py); what it was
    checked against is kept with it."""

    class Kind(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", _("Confidentiality agreement")
        NON_COMPETE = "non_compete", _("Non-compete agreement")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    scope_text = models.TextField(_("scope"))
    area = models.CharField(_("area"), max_length=200, blank=True)
    monthly_compensation = models.DecimalField(
        _("monthly compensation"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    average_monthly_wage = models.DecimalField(
        _("average monthly wage of the last 12 months"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    penalty = models.DecimalField(_("penalty for breach"), max_digits=14, decimal_places=2, null=True, blank=True)
    checked = models.JSONField(default=dict, blank=True)  # rules.NonCompeteBounds.record
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    scope = Scope(
        enterprises=("person__enterprise",),
        members=("person__account",),
        enterprise_private=True,
        grants=ADMIN_KEEPS,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("protection:agreement_detail", args=[self.pk])

    def in_force_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Carrier(models.Model):
    """A carrier (载体) of one or more secret points: a document, a file, a drawing, a medium,
    a sample. Its copies and who holds them follow from its log (CarrierEvent), never typed."""

    class Form(models.TextChoices):
        PAPER = "paper", _("Paper document")
        ELECTRONIC = "electronic", _("Electronic file")
        MEDIUM = "medium", _("Storage medium")
        DRAWING = "drawing", _("Drawing")
        SAMPLE = "sample", _("Sample or prototype")
        EQUIPMENT = "equipment", _("Equipment")
        OTHER = "other", _("Other form")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    number = models.CharField(_("carrier number"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200)
    secret_points = models.ManyToManyField(SecretPoint, related_name="carriers", verbose_name=_("secret points"))
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    grade_mark = models.CharField(_("grade mark"), max_length=16, choices=Grade.choices)
    custodian = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="carriers_kept", verbose_name=_("custodian")
    )
    location = models.CharField(_("where it is kept"), max_length=200)
    copies = models.PositiveIntegerField(_("copies registered"), default=1)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    scope = Scope(
        enterprises=("enterprise",), members=("custodian__account",), enterprise_private=True, grants=ADMIN_KEEPS
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("protection:carrier_detail", args=[self.pk])


class CarrierEvent(models.Model):
    """One line of a carrier's log (借阅, 归还, 复制, 销毁, 交接): append-only. Borrowed and
    copied copies are held by ``person`` until returned."""

    class Kind(models.TextChoices):
        BORROW = "borrow", _("Borrowed")
        RETURN = "return", _("Returned")
        COPY = "copy", _("Copied")
        DESTROY = "destroy", _("Destroyed")
        HANDOVER = "handover", _("Custody handed over")

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="carrier_events", verbose_name=_("person")
    )
    copies = models.PositiveIntegerField(_("copies"), default=1)
    on = models.DateField(_("date"))
    approver = models.CharField(_("approved by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["person", "kind"], name="protection_carrier_ev_person")]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.kind} {self.copies}"


class SecretPointDeposit(models.Model):
    """One version of a secret point's document deposited in the evidence log (hash only, from
    the secret point's page). The versions of one secret point form one chain: each deposit's
    ``previous`` is the one before it, so its receipts prove what existed when."""

    secret_point = models.ForeignKey(SecretPoint, on_delete=models.PROTECT, related_name="deposits")
    deposit = models.OneToOneField(
        "evidence.Deposit", on_delete=models.PROTECT, related_name="+", verbose_name=_("deposit")
    )
    version = models.PositiveIntegerField(_("version"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        enterprises=("secret_point__enterprise",),
        members=("secret_point__circle__account",),
        enterprise_private=True,
        grants=ADMIN_KEEPS,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["secret_point_id", "version"]
        verbose_name = _("deposited version")
        verbose_name_plural = _("deposited versions")
        constraints = [
            models.UniqueConstraint(fields=["secret_point", "version"], name="protection_sp_deposit_version"),
        ]

    def __str__(self) -> str:
        return f"{self.secret_point_id} v{self.version}"


class Engagement(models.Model):
    """Outsourcing or another business activity (委外、商务活动: a supplier, a partner, a
    negotiation) in which secret points may be disclosed to a counterparty: the confidentiality
    agreement comes before any disclosure, and at the end what was handed over is returned or
    destroyed (DB4403/T 461-2024 §10; Zhejiang's 商务活动)."""

    class Kind(models.TextChoices):
        OUTSOURCING = "outsourcing", _("Outsourcing")
        COOPERATION = "cooperation", _("Joint development or cooperation")
        NEGOTIATION = "negotiation", _("Business negotiation or due diligence")
        OTHER = "other", _("Other business activity")

    class Ending(models.TextChoices):
        RETURNED = "returned", _("Returned")
        DESTROYED = "destroyed", pgettext_lazy("engagement ending", "Destroyed")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    counterparty = models.CharField(_("counterparty"), max_length=200)
    counterparty_uscc = models.CharField(_("counterparty's credit code"), max_length=18, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500)
    starts_on = models.DateField(_("starts on"))
    agreement_signed_on = models.DateField(_("confidentiality agreement signed on"), null=True, blank=True)
    agreement_ref = models.CharField(_("agreement number or title"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ending = models.CharField(_("at the end"), max_length=16, choices=Ending.choices, blank=True)
    ending_note = models.CharField(_("how it was returned or destroyed"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    # Who changed the agreement's day or the counterparty, and when (the disclosures are append-only).
    history = HistoricalRecords()

    # The admins' alone: what was disclosed to whom is itself sensitive.
    scope = Scope(enterprises=("enterprise",), enterprise_private=True, grants=ADMIN_KEEPS)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("business activity")
        verbose_name_plural = _("outsourcing and business activities")

    def __str__(self) -> str:
        return f"{self.counterparty} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("protection:engagement_detail", args=[self.pk])


class Disclosure(models.Model):
    """One disclosure of a secret point to an engagement's counterparty: append-only, never
    dated before the engagement's confidentiality agreement."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="disclosures")
    secret_point = models.ForeignKey(
        SecretPoint, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("secret point")
    )
    on = models.DateField(_("disclosed on"))
    what = models.CharField(_("what was handed over"), max_length=500)
    approver = models.CharField(_("approved by"), max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.engagement_id} {self.secret_point_id} {self.on}"


class Area(models.Model):
    """A restricted area (涉密区域: a lab, a server room, a drawing archive) with its grade, its
    access rule and the people allowed in; a visitor enters only as the rule says (approval,
    escort), each visit a line of its log (Hunan DB43/T 2652-2023 涉密区域; SPC 2020 art. 6(3))."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=200)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    access_rule = models.TextField(_("access rule"), help_text=_("Access control, no photography, devices allowed."))
    allowed = models.ManyToManyField(Person, related_name="areas", blank=True, verbose_name=_("who may enter"))
    secret_points = models.ManyToManyField(
        SecretPoint, related_name="areas", blank=True, verbose_name=_("secret points kept there")
    )
    visitor_approval = models.BooleanField(_("visitors need approval"), default=True)
    escort_required = models.BooleanField(_("visitors are escorted"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    # Who changed the rule or the list of who may enter, and when.
    history = HistoricalRecords(m2m_fields=[allowed, secret_points])

    scope = Scope(
        enterprises=("enterprise",), members=("allowed__account",), enterprise_private=True, grants=ADMIN_KEEPS
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("restricted area")
        verbose_name_plural = _("restricted areas")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("protection:area_detail", args=[self.pk])


class Visit(models.Model):
    """A visitor's entry into a restricted area: append-only, with who approved it and who
    escorted them, as the area's rule requires."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="visits")
    visitor = models.CharField(_("visitor"), max_length=64)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500)
    on = models.DateField(_("date"))
    entered = models.TimeField(_("entered at"))
    left = models.TimeField(_("left at"), null=True, blank=True)
    approver = models.CharField(_("approved by"), max_length=100, blank=True)
    escort = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="escorted", verbose_name=_("escort")
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-entered", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.visitor} {self.on}"
