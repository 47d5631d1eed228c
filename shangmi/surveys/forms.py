"""Forms of the survey pages. They parse and render; the rules are in rules.py and services.py."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shangmi.core.calendar import program_today
from shangmi.core.forms import bootstrap_widgets, model_choices
from shangmi.enterprises.models import Industry, Tag
from shangmi.regions.models import Region
from shangmi.surveys.models import Question, Questionnaire
from shangmi.surveys.rules import format_choice_lines, parse_choice_lines, validate_answers
from shangmi.surveys.services import QuestionInput, usable_questionnaires

Kind = Question.Kind
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


# --- questionnaires -----------------------------------------------------------------------------


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Introduction for the enterprises"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    aware_threshold = forms.IntegerField(
        label=_("Awareness threshold (%)"),
        min_value=1,
        max_value=100,
        initial=80,
        help_text=_("An enterprise is aware when it answers at least this share of the awareness questions right."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Kind.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Single and multiple choice only: one option per line. Start a line with * to mark a right "
            "answer (awareness questions)."
        ),
    )
    metric = forms.ChoiceField(
        label=_("Indicator it measures"),
        choices=Question.Metric.choices,
        required=False,
        help_text=_("Leave empty for an ordinary question. Indicators feed the results and the report."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "text": question.text,
                "kind": question.kind,
                "options": format_choice_lines(question.choices, question.correct),
                "metric": question.metric,
                "required": question.required,
            }
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)

    def question_input(self) -> QuestionInput:
        data = self.cleaned_data
        kind = data["kind"]
        choices, right = (
            parse_choice_lines(data.get("options", "")) if kind in (Kind.SINGLE, Kind.MULTIPLE) else ([], [])
        )
        correct: Any = None
        if right:
            correct = right[0] if kind == Kind.SINGLE and len(right) == 1 else right
        return QuestionInput(
            text=data["text"],
            kind=kind,
            choices=choices,
            correct=correct,
            metric=data.get("metric") or "",
            required=bool(data.get("required")),
        )


# --- issuing ------------------------------------------------------------------------------------


class SurveyForm(forms.Form):
    questionnaire = forms.ModelChoiceField(label=_("Questionnaire"), queryset=Questionnaire.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        help_text=_("Every enterprise of this region and the regions below it is asked, unless filtered below."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Only enterprises with one of these tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.MultipleChoiceField(
        label=_("Only these industries"),
        choices=Industry.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    liaison_points_only = forms.BooleanField(label=_("Only liaison points"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = user.region
        questionnaires = usable_questionnaires(user)
        model_choices(self, "questionnaire").queryset = questionnaires
        regions = Region.objects.filter(Q(pk=region.pk) | Q(parent=region)).order_by("code")
        model_choices(self, "region").queryset = regions
        self.fields["region"].initial = region.pk
        today = program_today()
        self.fields["deadline"].initial = today + datetime.timedelta(days=30)
        self.fields["title"].initial = _("%(year)d trade secret protection survey of %(region)s") % {
            "year": today.year,
            "region": region.full_name,
        }
        baseline = questionnaires.filter(is_baseline=True).first()
        if baseline is not None:
            self.fields["questionnaire"].initial = baseline.pk
        bootstrap_widgets(self)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE)


# --- answering ----------------------------------------------------------------------------------


def field_name(question: Question) -> str:
    return f"q_{question.code}"


YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _field_for(question: Question) -> forms.Field:
    """A field that only collects the raw input: validate_answers judges it, one rule for all."""
    choices = list(question.choice_labels().items())
    widget: forms.Widget
    if question.kind == Kind.SINGLE:
        widget = forms.RadioSelect(choices=choices)
    elif question.kind == Kind.MULTIPLE:
        widget = forms.CheckboxSelectMultiple(choices=choices)
    elif question.kind == Kind.YES_NO:
        widget = forms.RadioSelect(choices=YES_NO)
    elif question.kind == Kind.INTEGER:
        widget = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})
    elif question.kind == Kind.PERCENT:
        widget = forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any", "inputmode": "decimal"})
    elif question.kind == Kind.NUMBER:
        widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    else:
        widget = forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
    field = forms.Field(label=question.text, required=False, widget=widget)
    field.question = question  # type: ignore[attr-defined]  # the template shows kind and "required"
    return field


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, questions: Sequence[Question], saved: dict[str, Any] | None = None, **kwargs: Any):
        initial = {}
        for question in questions:
            value = (saved or {}).get(question.code)
            if question.kind == Kind.YES_NO and isinstance(value, bool):
                value = "yes" if value else "no"
            initial[field_name(question)] = value
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[field_name(question)] = _field_for(question)
        bootstrap_widgets(self)

    def raw_answers(self) -> dict[str, Any]:
        return {q.code: self.cleaned_data.get(field_name(q)) for q in self.questions}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _values, errors = validate_answers(self.questions, self.raw_answers())
        for code, message in errors.items():
            self.add_error(f"q_{code}", message)
        return cleaned
