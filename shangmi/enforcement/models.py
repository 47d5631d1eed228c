"""Rights protection and enforcement: the working-day calendar and the legal rules as data,
the demands ledger (维权诉求台账), public clues (线索) and their screening.

Every deadline is computed from data with its source (CalendarYear, LegalRule), never from a
constant in code, so a bureau loads a new year's calendar or a newer rule without a release.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.models import StoredFile
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, VIEW, RestrictedQuerySet, Scope


class CalendarYear(models.Model):
    """One year of China's official calendar as the State Council published it: the holidays
    and the weekend days made working days (调休). A year without a row is not counted."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.JSONField(_("holidays"), default=list)  # ISO dates
    working_weekends = models.JSONField(_("working weekends"), default=list)  # ISO dates
    source_title = models.CharField(_("source"), max_length=200)
    source_number = models.CharField(_("document number"), max_length=64, blank=True)
    source_issued = models.DateField(_("issued"), null=True, blank=True)
    source_url = models.CharField(_("address"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    # Public reference data: any signed-in user may read it.
    scope = Scope(public_view=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class LegalRule(models.Model):
    """A time limit or threshold with its legal source. Of the rows of one code, the one with
    the latest ``effective_from`` not after the date in question applies (None: always)."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")
        MONTHS = "months", _("months")
        YUAN = "yuan", _("yuan")
        PERCENT = "percent", _("percent")

    code = models.CharField(_("code"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    article = models.CharField(_("article"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = Scope(public_view=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code", "effective_from"]
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="legal_rule_unique_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(effective_from__isnull=True), name="legal_rule_unique_undated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.value} {self.unit}"


def enforcement_file_path(instance: models.Model, filename: str) -> str:
    # Stored names carry no user input; the original name is kept in the row.
    return f"enforcement/{type(instance).__name__.lower()}/{uuid.uuid4().hex}"


# An enterprise's demand is read by the enterprise, the bureau of its district and above, and
# the officers who serve it or handle the demand; a park operator sees none.
DEMAND_GRANTS: dict[str, frozenset[str]] = {
    Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
    Role.OFFICER: frozenset({VIEW, ADD, CHANGE}),
    Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE}),
    Role.ENTERPRISE_STAFF: frozenset({VIEW, ADD}),
}


class Demand(models.Model):
    """A rights-protection demand (维权诉求) in the ledger: filed by the enterprise online, or
    recorded by an officer from a visit or a call."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        HELP = "help", _("Request for help")
        COMPLAINT = "complaint", _("Complaint about an infringement")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        VISIT = "visit", _("On a visit")
        PHONE = "phone", _("By phone")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        ASSIGNED = "assigned", _("Being handled")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="demands", verbose_name=_("enterprise")
    )
    # The enterprise's district when it was filed: the handling bureau.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    filed_on = models.DateField(_("filed on"))
    # The response deadline (demand.response working days), or the year that kept it from
    # being counted (no calendar loaded).
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    due_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the answer"), max_length=500, blank=True)

    scope = Scope(
        regions=("region",),
        enterprises=("enterprise",),
        officers=("handler", "enterprise__liaison_officer", "enterprise__guidance_officer"),
        grants=DEMAND_GRANTS,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [models.Index(fields=["region", "status", "due_on"], name="demand_region_status_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("enforcement:demand_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.FILED, self.Status.ASSIGNED)

    def overdue_on(self, today: datetime.date) -> bool:
        """Open past its due date (shown in red)."""
        return self.is_open and self.due_on is not None and today > self.due_on


class DemandEvent(models.Model):
    """One step of a demand (who, when, what): append-only. ``internal`` events (a bureau's
    note) are never shown to the enterprise."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        RATED = "rated", _("Rated")
        ATTACHED = "attached", _("File attached")
        NOTE = "note", _("Internal note")
        TO_CLUE = "to_clue", _("Turned into a clue")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The history is a record: a step once written is never rewritten.
        if self.pk is not None:
            raise ValueError("demand events are append-only")
        super().save(*args, **kwargs)


class DemandAttachment(StoredFile):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)

    scope = Scope(
        regions=("demand__region",),
        enterprises=("demand__enterprise",),
        officers=(
            "demand__handler",
            "demand__enterprise__liaison_officer",
            "demand__enterprise__guidance_officer",
        ),
        grants=DEMAND_GRANTS,
    )
    objects = RestrictedQuerySet.as_manager()


class Clue(models.Model):
    """An infringement clue (侵权线索): reported by anyone on the public page (by name or
    anonymously), or made from a demand. The reporter holds a tracking code; only its hash is
    kept. Screened into a case or not within clue.screening working days of receipt (art. 18)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, being screened")
        OPENED = "opened", _("Case opened")
        NOT_OPENED = "not_opened", _("No case opened")
        MERGED = "merged", _("Merged with another clue")

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("handling district")
    )
    tracking_hash = models.CharField(max_length=64, unique=True)
    real_name = models.BooleanField(_("reported by name"), default=False)
    reporter_name = models.CharField(_("reporter"), max_length=100, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=100, blank=True)
    against = models.CharField(_("reported party"), max_length=200)
    description = models.TextField(_("what happened"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    received_on = models.DateField(_("received on"))
    # A keyed hash of the sender's address, for the hourly limit: the address itself is not kept.
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    screening_due = models.DateField(_("decision due"), null=True, blank=True)
    screening_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    # Appraisal or the right holder's identification stops the clock (art. 18): since when.
    stopped_since = models.DateField(_("clock stopped since"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons"), blank=True)
    public_answer = models.TextField(_("answer to the reporter"), blank=True)
    notify_due = models.DateField(_("reporter to be told by"), null=True, blank=True)
    notify_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    notified_on = models.DateField(_("reporter told on"), null=True, blank=True)
    forwarded_from = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged")
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, null=True, blank=True, related_name="clue")

    # Reporters' identities stay with the handling bureau: no enterprise, park or officer reads clues.
    scope = Scope(
        regions=("region",),
        grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("clue")
        verbose_name_plural = _("clues")
        indexes = [models.Index(fields=["region", "status", "screening_due"], name="clue_region_status_due")]

    def __str__(self) -> str:
        return f"{_('Clue')} {self.pk} · {self.against}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:clue_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.RECEIVED

    def screening_overdue(self, today: datetime.date) -> bool:
        return (
            self.is_open
            and self.stopped_since is None
            and self.screening_due is not None
            and today > self.screening_due
        )

    def notice_overdue(self, today: datetime.date) -> bool:
        return self.notified_on is None and self.notify_due is not None and today > self.notify_due


class ClueEvent(models.Model):
    """One step of a clue: append-only. ``actor`` is None for the anonymous reporter."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        FROM_DEMAND = "from_demand", _("Made from a demand")
        FROM_ORGAN = "from_organ", _("Sent by a judicial organ")
        ATTACHED = "attached", _("File attached")
        EXTENDED = "extended", _("Screening extended")
        STOPPED = "stopped", _("Clock stopped")
        RESUMED = "resumed", _("Clock resumed")
        DECIDED = "decided", _("Decided")
        NOTIFIED = "notified", _("Reporter told")
        FORWARDED = "forwarded", _("Forwarded")
        MERGED = "merged", _("Merged")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.clue_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("clue events are append-only")
        super().save(*args, **kwargs)


class ClueAttachment(StoredFile):
    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)
    # The public reporter has no account.
    uploaded_by = models.ForeignKey(  # type: ignore[assignment]  # nullable here only
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope = Scope(regions=("clue__region",), grants=Clue.scope.grants)
    objects = RestrictedQuerySet.as_manager()


class Case(models.Model):
    """An administrative case (案件) opened from a clue: investigated by at least two officers,
    decided within case.decision days of opening (art. 64), +30 with the head's approval,
    further only by collective decision for a fixed period; the clock stops while the case is
    suspended (中止), heard, appraised or publicly noticed."""

    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Under investigation")
        SUSPENDED = "suspended", _("Suspended")
        DECIDED = "decided", _("Decided")

    class Decision(models.TextChoices):
        PENALTY = "penalty", _("Penalty")
        NO_PENALTY = "no_penalty", _("No penalty")
        NOT_ESTABLISHED = "not_established", _("Violation not established")
        TRANSFER = "transfer", _("Transfer to a judicial organ")

    class Stage(models.TextChoices):
        """Where the procedure after opening stands (arts. 48-78); each step checks it."""

        INVESTIGATION = "investigation", _("Investigation")
        REVIEW = "review", _("Legal review")
        NOTICE = "notice", _("Notice and decision")
        HEARING = "hearing", _("Hearing")
        DECIDED = "decided", _("Decided, to be served")
        SERVED = "served", _("Served, to be executed")
        CLOSED = "closed", _("Closed")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    clue = models.OneToOneField(Clue, on_delete=models.PROTECT, related_name="case", verbose_name=_("clue"))
    party = models.CharField(_("party"), max_length=200)
    act_date = models.DateField(_("date of the act"))
    loss_amount = models.DecimalField(_("loss or gain (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    prior_penalty = models.BooleanField(_("penalised for trade secret infringement within two years"), default=False)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("investigators"))
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INVESTIGATING)
    # Days added to the limit: the head's extension, then collective decisions (art. 64).
    extended_days = models.PositiveIntegerField(default=0)
    collective_days = models.PositiveIntegerField(default=0)
    # Calendar days the clock stood (suspension, hearing, appraisal, public notice).
    stopped_days = models.PositiveIntegerField(default=0)
    suspended_since = models.DateField(null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    due_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    fine = models.DecimalField(_("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    serious = models.BooleanField(_("serious circumstances"), default=False)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INVESTIGATION)
    # The deadline of the step the stage waits for (legal review, service, payment, closing),
    # or the year that kept it from being counted.
    step_due = models.DateField(_("next step due"), null=True, blank=True)
    step_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    scope = Scope(
        regions=("region",),
        officers_view=("officers",),
        grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}), Role.OFFICER: frozenset({VIEW})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{_('Case')} {self.pk} · {self.party}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DECIDED

    def overdue_on(self, today: datetime.date) -> bool:
        due = self.decision_due
        return self.status == self.Status.INVESTIGATING and due is not None and today > due


class CaseEvent(models.Model):
    """One step of a case: append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")
        EXTENDED = "extended", _("Limit extended")
        DECIDED = "decided", _("Decided")
        TRANSFER = "transfer", _("Transfer proposed")
        EVIDENCE = "evidence", _("Evidence recorded")
        EVIDENCE_FILE = "evidence_file", _("File added to evidence")
        CHECKLIST = "checklist", _("Checklist item fixed")
        MEASURE = "measure", _("Preservation or seizure")
        MEASURE_ENDED = "measure_ended", _("Preservation or seizure decided")
        MEASURE_EXTENDED = "measure_extended", _("Seizure extended")
        MEASURE_REPORTED = "measure_reported", _("On-site measure reported to the head")
        APPRAISAL = "appraisal", _("Appraisal commissioned")
        APPRAISAL_DONE = "appraisal_done", _("Appraisal concluded")
        REPORTED = "reported", _("Investigation report submitted")
        REVIEWED = "reviewed", _("Legal review approved")
        RETURNED = "returned", _("Returned by the legal review")
        NOTICE = "notice", _("Notice of the intended penalty served")
        RESPONSE = "response", _("Party's response")
        HEARING_SET = "hearing_set", _("Hearing scheduled")
        HEARING_HELD = "hearing_held", _("Hearing held")
        SERVED = "served", _("Decision served")
        PAID = "paid", _("Payment recorded")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)


class Transfer(models.Model):
    """A case transferred to the police, procuratorate or court (国务院令第310号): proposed,
    decided by the head within 3 days, sent within 24 hours with its five attachments, its
    receipt signed by the receiving organ's liaison, who records the organ's decision."""

    class Organ(models.TextChoices):
        POLICE = "police", _("Public security organ")
        PROCURATORATE = "procuratorate", _("Procuratorate")
        COURT = "court", _("Court")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, awaiting the head's decision")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Receipt signed")
        ACCEPTED = "accepted", _("Accepted (case filed)")
        REFUSED = "refused", _("Refused")
        RECONSIDERATION = "reconsideration", _("Reconsideration requested")
        UPHELD = "upheld", _("Refusal upheld on reconsideration")
        SUPERVISION = "supervision", _("Procuratorate's supervision requested")

    # The five attachments of art. 6, in their order.
    ATTACHMENTS = (
        ("transfer_letter", _("Letter of transfer of a suspected criminal case")),
        ("investigation_report", _("Investigation report")),
        ("item_list", _("List of items involved")),
        ("appraisal", _("Inspection report or appraisal conclusion")),
        ("other", _("Other materials")),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("case"))
    organ = models.CharField(_("receiving organ"), max_length=16, choices=Organ.choices)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving liaison")
    )
    reason = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField(_("proposed on"))
    decide_by = models.DateField(_("head to decide by"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    attachments = models.JSONField(_("attachments"), default=list)
    received_at = models.DateTimeField(_("receipt signed"), null=True, blank=True)
    organ_decide_by = models.DateField(_("organ to decide by"), null=True, blank=True)
    organ_decided_on = models.DateField(_("organ decided on"), null=True, blank=True)
    organ_reason = models.TextField(_("organ's reasons"), blank=True)
    # After a refusal (art. 9): the bureau asks for reconsideration within
    # transfer.reconsideration days, the organ answers within transfer.reconsideration_answer
    # days, and a refusal upheld may go to the procuratorate within transfer.supervision days.
    step_due = models.DateField(_("next step due"), null=True, blank=True)

    # The bureau of the case's district; the receiving liaison alone on the organ's side.
    scope = Scope(
        regions=("case__region",),
        owners=("receiver",),
        grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{_('Transfer')} {self.pk} · {self.case.party}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:transfer_detail", args=[self.pk])


class TransferEvent(models.Model):
    """One step of a transfer after the organ's decision (reconsideration, its answer, the
    request for the procuratorate's supervision), with the deadline it set: append-only."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", _("Reconsideration requested")
        ANSWERED = "answered", _("Reconsideration answered")
        SUPERVISION = "supervision", _("Supervision requested from the procuratorate")

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField()
    due = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("transfer events are append-only")
        super().save(*args, **kwargs)


class IncomingCase(models.Model):
    """A case a judicial organ sends to the bureau (国务院令第310号 art. 13, 行政处罚法 art. 27):
    one the bureau transferred and the organ returned (no crime, or no criminal penalty), or
    one the organ sends for administrative handling. Recorded by the receiving bureau with the
    organ's documents; it becomes a clue, screened as every clue is (art. 18: 移送)."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("Returned after our transfer")
        FOR_HANDLING = "for_handling", _("Sent for administrative handling")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organ = models.CharField(_("sending organ"), max_length=16, choices=Transfer.Organ.choices)
    organ_name = models.CharField(_("name of the organ"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=64)
    received_on = models.DateField(_("received on"))
    party = models.CharField(_("party"), max_length=200)
    summary = models.TextField(_("what the organ found"))
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="returns", verbose_name=_("transfer")
    )
    clue = models.OneToOneField(Clue, on_delete=models.PROTECT, related_name="incoming", verbose_name=_("clue"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(regions=("region",), grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE})})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("case from a judicial organ")
        verbose_name_plural = _("cases from judicial organs")

    def __str__(self) -> str:
        return f"{self.organ_name} {self.document_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("incoming cases are recorded once")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("enforcement:incoming_detail", args=[self.pk])


class IncomingDocument(StoredFile):
    """A document of the sending organ (its letter, its decision not to file, the file list)."""

    incoming = models.ForeignKey(IncomingCase, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)

    scope = Scope(regions=("incoming__region",), grants=IncomingCase.scope.grants)
    objects = RestrictedQuerySet.as_manager()


class Mediation(models.Model):
    """A dispute resolved another way (多元化解): by mediation, arbitration or a court, with its
    outcome, so the region's figures show every route."""

    class Route(models.TextChoices):
        MEDIATION = "mediation", _("Mediation")
        ARBITRATION = "arbitration", _("Arbitration")
        COURT = "court", _("Court proceedings")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        SETTLED = "settled", _("Settled or won")
        NOT_SETTLED = "not_settled", _("Not settled or lost")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    counterparty = models.CharField(_("other party"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(
        regions=("region",),
        enterprises=("enterprise",),
        officers=("enterprise__liaison_officer", "enterprise__guidance_officer"),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}),
            Role.OFFICER: frozenset({VIEW, ADD}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("resolved dispute")
        verbose_name_plural = _("resolved disputes")

    def __str__(self) -> str:
        return f"{self.get_route_display()} · {self.counterparty}"


# --- the procedure of a case after opening (市场监督管理行政处罚程序规定 arts. 22-78) -------------

# A case's papers are read as the case is: the district's bureau and above, and the case's
# own investigators; written through the services in procedure.py.
CASE_PAPER_SCOPE = Scope(
    regions=("case__region",),
    officers_view=("case__officers",),
    grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE}), Role.OFFICER: frozenset({VIEW})},
)


class AppendOnly(models.Model):
    """A record of the case file: written once, never rewritten (the event log says who and when)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)


class EvidenceItem(AppendOnly):
    """One item of evidence of the eight kinds (art. 23) with its source; electronic data
    with how it was fixed: taken from its original carrier, or a copy with its method, time
    and maker noted (art. 26)."""

    class Kind(models.TextChoices):
        DOCUMENTARY = "documentary", _("Documentary evidence")
        PHYSICAL = "physical", _("Physical evidence")
        AUDIOVISUAL = "audiovisual", _("Audio-visual material")
        ELECTRONIC = "electronic", _("Electronic data")
        WITNESS = "witness", _("Witness testimony")
        STATEMENT = "statement", _("Statement of the party")
        APPRAISAL = "appraisal", _("Appraisal opinion")
        RECORD = "record", _("Record of inspection or of the scene")

    class Fixing(models.TextChoices):
        ORIGINAL = "original", _("Original carrier seized or sealed")
        COPY = "copy", _("Copy with its method, time and maker noted")
        SCREEN = "screen", _("Screenshots or screen recording")
        FORENSIC = "forensic", _("Forensic image with hash values")
        NOTARISED = "notarised", _("Notarised")
        DEPOSIT = "deposit", _("Evidence-log receipt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("case"))
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    obtained_on = models.DateField(_("obtained on"))
    fixing = models.CharField(_("how it was fixed"), max_length=16, choices=Fixing.choices, blank=True)
    fixing_detail = models.CharField(_("method, time and maker"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="evidence_number_per_case")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class EvidenceAttachment(StoredFile):
    """A file of an item of evidence (a scan, a photograph, a recording, a forensic image's hash
    list), checked and stored as every upload is, served only through the case's scope. Part of
    the case file: written once, never replaced or removed."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="files", verbose_name=_("evidence"))
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)

    scope = Scope(
        regions=("item__case__region",),
        officers_view=("item__case__officers",),
        grants=CASE_PAPER_SCOPE.grants,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("evidence files are append-only")
        super().save(*args, **kwargs)


class ChecklistEntry(AppendOnly):
    """A finding of the trade-secret evidence-fixing checklist (秘密点及载体、保密措施、商业价值、
    接触与实质相同、损失); the latest entry of a group is the current one."""

    class Group(models.TextChoices):
        SECRET = "secret", _("Secret points and their carriers")
        MEASURES = "measures", _("Confidentiality measures")
        VALUE = "value", _("Commercial value")
        ACCESS = "access", _("Access and similarity")
        LOSS = "loss", _("Loss or gain")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("case"))
    group = models.CharField(_("item"), max_length=16, choices=Group.choices)
    finding = models.TextField(_("finding"))
    evidence = models.ManyToManyField(EvidenceItem, blank=True, related_name="+", verbose_name=_("evidence"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "group", "-recorded_at", "-pk"]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.finding[:40]}"


class Measure(models.Model):
    """先行登记保存 (decided within case.preservation_decision working days or it lapses,
    arts. 33-35) or 查封、扣押 (case.seizure days, extendable once, art. 38)."""

    class Kind(models.TextChoices):
        PRESERVATION = "preservation", _("Registration and preservation")
        SEIZURE = "seizure", _("Seal-up or seizure")

    class Outcome(models.TextChoices):
        FIXED = "fixed", _("Recorded, copied or photographed")
        APPRAISAL = "appraisal", _("Sent for inspection or appraisal")
        SEIZED = "seized", _("Sealed up or seized")
        CONFISCATED = "confiscated", _("Confiscated by decision")
        RELEASED = "released", _("Released")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    items = models.TextField(_("items"))
    approval = models.CharField(_("head's approval"), max_length=300)
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("to be decided by"), null=True, blank=True)
    missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    ended_on = models.DateField(_("decided on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Taken on the spot in an emergency (art. 33): reported to the head within
    # case.onsite_report hours of being taken, when the approval is given.
    on_site = models.BooleanField(_("taken on site in an emergency"), default=False)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    report_due = models.DateTimeField(_("to be reported by"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported to the head"), null=True, blank=True)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("preservation or seizure")
        verbose_name_plural = _("preservations and seizures")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case.party}"

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()

    def lapsed_on(self, today: datetime.date) -> bool:
        return self.ended_on is None and self.due_on is not None and today > self.due_on

    def report_late(self, now: datetime.datetime) -> bool:
        """Taken on site and not reported to the head in time (shown in red)."""
        due = self.report_due
        if due is None:
            return False
        return (self.reported_at or now) > due


class Appraisal(models.Model):
    """鉴定 (of non-public nature, identity of information, loss): its time does not count
    towards the case's limit (art. 64), so the case's clock stands from start to conclusion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appraisals", verbose_name=_("case"))
    institution = models.CharField(_("appraisal institution"), max_length=200)
    matters = models.TextField(_("matters to appraise"))
    started_on = models.DateField(_("commissioned on"))
    stopped_clock = models.BooleanField(default=False)
    finished_on = models.DateField(_("concluded on"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")

    def __str__(self) -> str:
        return self.institution


class InvestigationReport(models.Model):
    """调查终结报告 (art. 48), reviewed within case.legal_review working days by someone who
    did not investigate (arts. 49-55); a returned report sends the case back to investigation."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved by the review")
        RETURNED = "returned", _("Returned")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports", verbose_name=_("case"))
    facts = models.TextField(_("facts found"))
    grounds = models.TextField(_("legal grounds"))
    proposal = models.CharField(_("proposed handling"), max_length=16, choices=Case.Decision.choices)
    proposed_fine = models.DecimalField(_("proposed fine (yuan)"), max_digits=14, decimal_places=2, null=True)
    serious = models.BooleanField(_("serious circumstances"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("submitted on"))
    review_due = models.DateField(_("review due"), null=True, blank=True)
    review_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    review = models.CharField(_("review"), max_length=16, choices=Review.choices, default=Review.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("reviewer")
    )
    opinion = models.TextField(_("review opinion"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "submitted_on", "pk"]
        verbose_name = _("investigation report")
        verbose_name_plural = _("investigation reports")

    def __str__(self) -> str:
        return f"{self.case_id} {self.submitted_on}"


class PenaltyNotice(models.Model):
    """行政处罚告知书 (art. 57): the intended penalty, served; the party states its case or asks
    for a hearing within case.notice_response working days of service, else waives it. The
    decision may not be heavier for the party having defended itself (art. 58)."""

    class Response(models.TextChoices):
        NONE = "", _("No response yet")
        STATEMENT = "statement", _("Statement and defence")
        HEARING = "hearing", _("Hearing requested")
        WAIVED = "waived", _("Rights waived in writing")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="notice", verbose_name=_("case"))
    fine = models.DecimalField(_("intended fine (yuan)"), max_digits=14, decimal_places=2)
    serious = models.BooleanField(_("serious circumstances"), default=False)
    content = models.TextField(_("facts, grounds and rights"))
    served_on = models.DateField(_("served on"))
    response_due = models.DateField(_("response due"), null=True, blank=True)
    response_missing_year = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.CharField(_("response"), max_length=16, choices=Response.choices, blank=True)
    response_on = models.DateField(_("responded on"), null=True, blank=True)
    response_note = models.TextField(_("what the party said"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice of the intended penalty")
        verbose_name_plural = _("notices of the intended penalty")

    def __str__(self) -> str:
        return f"{self.case_id} {self.served_on}"

    def window_open(self, today: datetime.date) -> bool:
        """The party may still respond (a waiver closes the window early)."""
        if self.response in (self.Response.WAIVED, self.Response.HEARING):
            return False
        return self.response_due is None or today <= self.response_due


class Hearing(models.Model):
    """听证 (行政处罚法 arts. 63-64): the party told at least case.hearing_notice days before,
    chaired by someone who did not investigate, not public when trade secrets are at stake,
    a transcript the party signs. Its time does not count towards the case's limit."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="hearing", verbose_name=_("case"))
    requested_on = models.DateField(_("requested on"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("chair")
    )
    scheduled_for = models.DateField(_("hearing date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    public = models.BooleanField(_("public hearing"), default=False)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    report = models.TextField(_("hearing report"), blank=True)
    stopped_clock = models.BooleanField(default=False)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self) -> str:
        return f"{self.case_id} {self.scheduled_for}"


class ServiceRecord(StoredFile):
    """送达 of a document (arts. 81-83) with its proof: the 送达回证 signed, the witness's record
    of a refusal, the screenshots of an electronic service (only with a signed address
    confirmation), the post receipt, or the announcement (served case.public_notice_service
    days after it)."""

    class Document(models.TextChoices):
        NOTICE = "notice", _("Notice of the intended penalty")
        DECISION = "decision", _("Decision")

    class Mode(models.TextChoices):
        DIRECT = "direct", _("Handed over, acknowledgement of service signed")
        REFUSED = "refused", _("Refused, left with a witness or on record")
        ELECTRONIC = "electronic", _("Electronic, to a confirmed address")
        POST = "post", _("By post or through another organ")
        ANNOUNCEMENT = "announcement", _("By public announcement")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services", verbose_name=_("case"))
    document = models.CharField(_("document"), max_length=16, choices=Document.choices)
    mode = models.CharField(_("how served"), max_length=16, choices=Mode.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    delivered_on = models.DateField(_("delivered or announced on"))
    served_on = models.DateField(_("served on"))
    file = models.FileField(upload_to=enforcement_file_path, max_length=200)

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "served_on", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")


class Payment(models.Model):
    """A payment of the fine (within case.payment days of service, art. 72)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="payments", verbose_name=_("case"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    receipt = models.CharField(_("receipt number"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = CASE_PAPER_SCOPE
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"
