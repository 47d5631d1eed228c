"""Plan supervision (督查督办): a work plan as data (its phases, targets and tasks, each task with
its lead and co-responsible units), the units' progress reports with their files, requests for
more time, and the owner's confirmation that a task is done (销号).

Who reads what: the bureau that owns a plan (the regulators of its region and of the regions
above it) reads and keeps everything of it; a responsible unit's members read the plan and the
tasks their unit leads or shares, with those tasks' reports and requests; anyone else gets 404.
A responsible unit (``PlanUnit``) is an organisation named by the plan (区法院, 区经济信息委, the
parks' committees...) with the accounts that act for it as members: any account, whatever its
role, so a court's judicial liaison or a district regulator can be a unit's member.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.models import StoredFile
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW, RestrictedQuerySet, Scope

# The owner bureau reads and keeps its plans; the units' members read theirs through Scope.owners.
OWNER_GRANTS: dict[str, frozenset[str]] = {Role.REGULATOR: frozenset({VIEW, CHANGE})}


def plans_file_path(instance: models.Model, filename: str) -> str:
    # Stored names carry no user input; the original name is kept in the row.
    return f"plans/{type(instance).__name__.lower()}/{uuid.uuid4().hex}"


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    document = models.CharField(_("document number"), max_length=64, blank=True)
    issuer = models.CharField(_("issued by"), max_length=128)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    source = models.CharField(_("source"), max_length=128, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # The report cycle: every ``report_months`` months, by day ``report_day`` of the month.
    report_day = models.PositiveSmallIntegerField(_("report by day"), default=5)
    report_months = models.PositiveSmallIntegerField(_("report every (months)"), default=1)
    # A task is "near its deadline" within this many days of it; reminders go this many days ahead.
    near_days = models.PositiveSmallIntegerField(_("near the deadline within (days)"), default=15)
    remind_days = models.PositiveSmallIntegerField(_("remind (days ahead)"), default=3)

    scope = Scope(regions=("region",), owners=("units__members",), grants=OWNER_GRANTS)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])


class PlanUnit(models.Model):
    """A responsible unit of a plan and the accounts that act for it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("unit"), max_length=64)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="plan_units", blank=True)

    scope = Scope(regions=("plan__region",), owners=("members",), grants=OWNER_GRANTS)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="plans_unit_name_once")]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("phase"), max_length=64, blank=True)
    period = models.CharField(_("period"), max_length=64, blank=True)
    text = models.TextField(_("what it does"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The phase that compiles the results for the acceptance of the pilot (梳理汇总).
    summary = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plans_phase_number_once")]

    def __str__(self) -> str:
        return self.name or str(_("Phase %(number)d") % {"number": self.number})

    @property
    def dated(self) -> bool:
        return self.starts_on is not None or self.ends_on is not None


class PlanTarget(models.Model):
    class Measure(models.TextChoices):
        NONE = "", _("Not measured by the platform")
        TITLES_BASE = "titles_base", _("Demonstration bases awarded")
        TITLES_UNIT = "titles_unit", _("Demonstration units awarded")
        LIAISON_POINTS = "liaison_points", _("Liaison-point enterprises")
        TRAINING_RATE = "training_rate", _("Training rate of liaison-point enterprises")
        AWARENESS_RATE = "awareness_rate", _("Awareness rate")
        CASES = "cases", _("Cases opened")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    code = models.SlugField(_("code"), max_length=32)
    text = models.CharField(_("target"), max_length=200)
    measure = models.CharField(_("measured as"), max_length=20, choices=Measure.choices, blank=True)
    goal = models.DecimalField(_("goal"), max_digits=8, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plans_target_code_once")]

    def __str__(self) -> str:
        return self.text


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLAIMED = "claimed", _("Reported done, awaiting confirmation")
        DONE = "done", _("Done (confirmed)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    area_number = models.PositiveSmallIntegerField(_("area number"))
    area = models.CharField(_("area"), max_length=128)
    text = models.TextField(_("task"))
    units_text = models.CharField(_("responsible units as written"), max_length=300, blank=True)
    lead_unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("lead"))
    co_units = models.ManyToManyField(PlanUnit, related_name="shared_tasks", blank=True, verbose_name=_("co-units"))
    phase = models.ForeignKey(Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    targets = models.ManyToManyField(PlanTarget, related_name="tasks", blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # The last reported progress, in percent (each report keeps its own).
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    claimed_on = models.DateField(_("reported done on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope = Scope(regions=("plan__region",), owners=("lead_unit__members", "co_units__members"), grants=OWNER_GRANTS)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plans_task_number_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])


def task_paper_scope(to_task: str) -> Scope:
    """A task's papers (reports, files, requests) are read as the task is."""
    return Scope(
        regions=(f"{to_task}__plan__region",),
        owners=(f"{to_task}__lead_unit__members", f"{to_task}__co_units__members"),
        grants=OWNER_GRANTS,
    )


class Report(models.Model):
    """A unit's progress report on a task: what was done, the progress it reaches, its files."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("what was done"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("reported on"))
    reported_at = models.DateTimeField(auto_now_add=True)

    scope = task_paper_scope("task")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["task", "reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task} · {self.reported_on} · {self.progress}%"


class ReportFile(StoredFile):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=plans_file_path, max_length=200)

    scope = task_paper_scope("report__task")
    objects = RestrictedQuerySet.as_manager()


class Extension(models.Model):
    """A unit's request for more time, asked before the due date, decided by the owner."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    old_due = models.DateField(_("due before"))
    new_due = models.DateField(_("new due date"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField(_("asked on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)

    scope = task_paper_scope("task")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["task", "pk"]

    def __str__(self) -> str:
        return f"{self.task} → {self.new_due}"

    def get_absolute_url(self) -> str:
        return self.task.get_absolute_url()
