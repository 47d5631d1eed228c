"""Surveys (调研): questionnaires (the seed-002 baseline ships ready), surveys issued to the
enterprises of a region, and their answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, Scope


class Questionnaire(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The baseline ships with the platform (no region); a regulator's own belongs to their region.
    is_baseline = models.BooleanField(_("baseline"), default=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="questionnaires"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The awareness rule: an enterprise is aware (知晓) when it answers at least this share (%)
    # of the awareness questions correctly. 80 for the baseline (see data/baseline.toml).
    aware_threshold = models.PositiveSmallIntegerField(
        _("awareness threshold (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Questionnaires are forms, not answers: any signed-in user may read them; the owning
    # region's regulators change their own.
    scope = Scope(
        regions=("region",),
        public_view=True,
        grants={Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE})},
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_baseline", "title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:questionnaire_detail", args=[self.pk])


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        INTEGER = "integer", _("Whole number")
        NUMBER = "number", _("Number")
        PERCENT = "percent", _("Percentage")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Text")

    class Metric(models.TextChoices):
        """What an answer measures, for the rates and the report; blank for ordinary questions."""

        NONE = "", _("—")
        TRADE_SECRETS = "trade_secrets", _("Number of trade secrets")
        PATENTS = "patents", _("Number of patents")
        NDA_RATE = "nda_rate", _("NDA signing rate")
        NON_COMPETE_RATE = "non_compete_rate", _("Non-compete signing rate")
        HAS_SYSTEM = "has_system", _("Protection system established")
        AWARENESS = "awareness", _("Awareness")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=64)
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # [{"value": "a", "label": "..."}] for choice questions.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # The right answer(s) of an awareness question: the value, or a list for multiple choice.
    correct = models.JSONField(_("correct answer"), null=True, blank=True)
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices, blank=True, default="")
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["questionnaire_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    def choice_labels(self) -> dict[str, str]:
        return {str(choice["value"]): str(choice["label"]) for choice in self.choices or []}

    def is_correct(self, value: Any) -> bool:
        return is_correct_answer(self.kind, self.correct, value)


def is_correct_answer(kind: str, correct: Any, value: Any) -> bool:
    """Whether ``value`` is the right answer: the one value, or exactly the set of right ones
    (a multiple-choice answer missing a right option, or adding a wrong one, is wrong)."""
    if correct is None or value is None:
        return False
    if kind == Question.Kind.MULTIPLE:
        expected = set(correct) if isinstance(correct, list) else {correct}
        return isinstance(value, list) and set(value) == expected
    return value == correct


class Survey(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="surveys")
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # How the enterprises were chosen within the region, for the report's 调研对象:
    # {"tags": [codes], "industries": [letters], "liaison_points_only": bool}.
    targeting = models.JSONField(default=dict, blank=True)

    scope = Scope(
        regions=("region",),
        enterprises=("assignments__enterprise",),
        # The liaison officer follows the surveys of the enterprises assigned to them (read only).
        officers_view=("assignments__enterprise__liaison_officer",),
        grants={
            Role.REGULATOR: frozenset({VIEW, ADD, CHANGE, DELETE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
            Role.OFFICER: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # Status and closing time say one thing twice: the database keeps them in step.
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="survey_closed_when_closed_at",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_detail", args=[self.pk])

    @property
    def is_answerable(self) -> bool:
        """Answers are taken (and changed) until the deadline's last day or the closing, whichever first."""
        return self.status == self.Status.OPEN and program_today() <= self.deadline


class SurveyAssignment(models.Model):
    """One enterprise asked to answer one survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="assignments")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="survey_assignments"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(
        regions=("survey__region",),
        enterprises=("enterprise",),
        officers_view=("enterprise__liaison_officer",),
        grants={
            Role.REGULATOR: frozenset({VIEW, CHANGE}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, CHANGE}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW, CHANGE}),
            Role.OFFICER: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["survey_id", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["survey", "enterprise"], name="assignment_once")]
        indexes = [models.Index(fields=["survey", "answered_at"], name="assignment_answered")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.enterprise_id}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:assignment_detail", args=[self.pk])


class Answer(models.Model):
    assignment = models.ForeignKey(SurveyAssignment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.question_id}"
