"""Numbers of a survey: response rate, the seed-002 indicators and the awareness rate, in
total and by region, industry and enterprise tag.

A survey's answers are read in one query (``values_list``) and counted in Python: a district
or city survey has thousands of enterprises, a province's tens of thousands, and one pass over
their answers (10,000 enterprises x 13 questions in about a second, see bench.py) is simpler
and faster than one SQL aggregate per group and indicator. Five queries in all, whatever the
size.

The awareness rule (also in data/baseline.toml and the report): an enterprise's score is the
share of the questionnaire's awareness questions it answered correctly; it is aware when the
score reaches the questionnaire's ``aware_threshold`` (80%); a group's awareness rate is its
aware enterprises over its answering enterprises. The programs' target is 90% (seeds 000/001).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language, gettext

from shangmi.core.calendar import year_bounds
from shangmi.enterprises.models import INDUSTRY_ZH, Enterprise, Industry
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code
from shangmi.surveys.models import Answer, Question, Survey, SurveyAssignment, is_correct_answer

# 商业秘密保护全区企业知晓率达到90%以上 (seeds 000 and 001).
AWARENESS_TARGET = 90.0
Metric = Question.Metric
NUMERIC_METRICS = (Metric.TRADE_SECRETS, Metric.PATENTS, Metric.NDA_RATE, Metric.NON_COMPETE_RATE)
NO_INDUSTRY = ""
NUMBER_KINDS = (Question.Kind.INTEGER, Question.Kind.NUMBER, Question.Kind.PERCENT)


def is_aware(correct: int, total: int, threshold: int) -> bool:
    """The awareness rule, in integers so that 4 of 5 against 80% is exactly aware."""
    return total > 0 and correct * 100 >= threshold * total


def percent(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


# --- one survey's answers ---------------------------------------------------------------------


@dataclass
class Respondent:
    """One enterprise asked to answer, with its answers (question id -> value) if it did."""

    assignment_id: int
    enterprise_id: int
    name: str
    uscc: str
    region_code: str
    region_name: str
    region_path: str
    industry: str
    answered_at: datetime | None
    reminded_at: datetime | None
    tags: list[str] = field(default_factory=list)
    values: dict[int, Any] = field(default_factory=dict)
    awareness_correct: int = 0
    aware: bool = False

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


@dataclass
class SurveyData:
    survey: Survey
    questions: list[Question]
    respondents: list[Respondent]
    # tag code -> (Chinese name, English name, order)
    tags: dict[str, tuple[str, str, int]]

    @property
    def awareness_questions(self) -> list[Question]:
        return [q for q in self.questions if q.metric == Metric.AWARENESS]

    def metric_question(self, metric: str) -> Question | None:
        return next((q for q in self.questions if q.metric == metric), None)


def load_survey(survey: Survey) -> SurveyData:
    """Everything about a survey's answers, in four queries."""
    questions = list(survey.questionnaire.questions.order_by("order", "pk"))
    respondents: dict[int, Respondent] = {}
    rows = (
        SurveyAssignment.objects.filter(survey=survey)
        .order_by("enterprise__region_id", "enterprise__name", "pk")
        .values_list(
            "pk",
            "enterprise_id",
            "enterprise__name",
            "enterprise__uscc",
            "enterprise__region_id",
            "enterprise__region__full_name",
            "enterprise__region__path",
            "enterprise__industry",
            "answered_at",
            "reminded_at",
        )
    )
    by_enterprise: dict[int, Respondent] = {}
    for pk, enterprise_id, name, uscc, code, region_name, path, industry, answered_at, reminded_at in rows:
        respondent = Respondent(
            pk, enterprise_id, name, uscc, code, region_name, path, industry or NO_INDUSTRY, answered_at, reminded_at
        )
        respondents[pk] = respondent
        by_enterprise[enterprise_id] = respondent

    tags: dict[str, tuple[str, str, int]] = {}
    tag_rows = Enterprise.tags.through.objects.filter(enterprise__survey_assignments__survey=survey).values_list(
        "enterprise_id", "tag__code", "tag__name_zh", "tag__name_en", "tag__order"
    )
    for enterprise_id, code, name_zh, name_en, order in tag_rows:
        by_enterprise[enterprise_id].tags.append(code)
        tags[code] = (name_zh, name_en, order)

    # Answers of unanswered assignments cannot exist (they are written with answered_at), but
    # the filter keeps the rule in one place: only a submitted answer counts.
    answer_rows = Answer.objects.filter(assignment__survey=survey, assignment__answered_at__isnull=False).values_list(
        "assignment_id", "question_id", "value"
    )
    for assignment_id, question_id, value in answer_rows:
        respondents[assignment_id].values[question_id] = value

    data = SurveyData(survey, questions, list(respondents.values()), tags)
    awareness = data.awareness_questions
    threshold = survey.questionnaire.aware_threshold
    for respondent in data.respondents:
        if respondent.answered and awareness:
            respondent.awareness_correct = sum(
                is_correct_answer(q.kind, q.correct, respondent.values.get(q.pk)) for q in awareness
            )
            respondent.aware = is_aware(respondent.awareness_correct, len(awareness), threshold)
    return data


# --- groups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupStats:
    """The indicators of one group of enterprises (a region, an industry, a tag, or all)."""

    key: str
    label: str  # in the reader's language
    label_zh: str  # for the Chinese report
    asked: int
    answered: int
    trade_secrets_mean: float | None
    trade_secrets_median: float | None
    patents_mean: float | None
    patents_median: float | None
    nda_rate_mean: float | None
    non_compete_rate_mean: float | None
    system_yes: int
    system_answered: int
    aware: int
    awareness_answering: int
    target: float = AWARENESS_TARGET

    @property
    def response_rate(self) -> float | None:
        return percent(self.answered, self.asked)

    @property
    def system_share(self) -> float | None:
        return percent(self.system_yes, self.system_answered)

    @property
    def awareness_rate(self) -> float | None:
        return percent(self.aware, self.awareness_answering)

    @property
    def meets_target(self) -> bool | None:
        rate = self.awareness_rate
        return None if rate is None else rate >= self.target

    @property
    def unanswered(self) -> int:
        return self.asked - self.answered


def group_stats(key: str, label: str, label_zh: str, rows: Sequence[Respondent], data: SurveyData) -> GroupStats:
    answered = [r for r in rows if r.answered]

    def numbers(metric: str) -> list[float]:
        question = data.metric_question(metric)
        if question is None:
            return []
        found = (r.values.get(question.pk) for r in answered)
        return [float(v) for v in found if isinstance(v, int | float) and not isinstance(v, bool)]

    def mean(values: list[float]) -> float | None:
        return statistics.fmean(values) if values else None

    def median(values: list[float]) -> float | None:
        return float(statistics.median(values)) if values else None

    secrets, patents = numbers(Metric.TRADE_SECRETS), numbers(Metric.PATENTS)
    system = data.metric_question(Metric.HAS_SYSTEM)
    system_values = [r.values[system.pk] for r in answered if system and system.pk in r.values]
    has_awareness = bool(data.awareness_questions)
    return GroupStats(
        key=key,
        label=label,
        label_zh=label_zh,
        asked=len(rows),
        answered=len(answered),
        trade_secrets_mean=mean(secrets),
        trade_secrets_median=median(secrets),
        patents_mean=mean(patents),
        patents_median=median(patents),
        nda_rate_mean=mean(numbers(Metric.NDA_RATE)),
        non_compete_rate_mean=mean(numbers(Metric.NON_COMPETE_RATE)),
        system_yes=sum(1 for v in system_values if v is True),
        system_answered=len(system_values),
        aware=sum(1 for r in answered if r.aware) if has_awareness else 0,
        awareness_answering=len(answered) if has_awareness else 0,
    )


def _grouped(data: SurveyData, keys_of: Callable[[Respondent], Iterable[str]]) -> dict[str, list[Respondent]]:
    groups: dict[str, list[Respondent]] = defaultdict(list)
    for respondent in data.respondents:
        for key in keys_of(respondent):
            groups[key].append(respondent)
    return groups


def by_region(data: SurveyData) -> list[GroupStats]:
    """One row per child region of the survey's region (its enterprises rolled up from the
    whole subtree); a district survey, whose region has no children, gives its own row.
    Enterprises registered at the survey region itself get a row of their own (本级)."""
    region = data.survey.region
    children = {code: name for code, name in Region.objects.filter(parent=region).values_list("code", "name")}

    def child_of(respondent: Respondent) -> list[str]:
        code = child_code(region, respondent.region_path)
        return [code if code in children else region.code]

    groups = _grouped(data, child_of)
    rows = []
    for code in sorted(groups):
        if code in children or not children:
            label = label_zh = children.get(code, region.name)
        else:
            label = gettext("%(region)s (own level)") % {"region": region.name}
            label_zh = f"{region.name}（本级）"
        rows.append(group_stats(code, label, label_zh, groups[code], data))
    return rows


def by_industry(data: SurveyData) -> list[GroupStats]:
    groups = _grouped(data, lambda r: [r.industry])
    rows = []
    for letter in sorted(groups, key=lambda k: (k == NO_INDUSTRY, k)):
        if letter == NO_INDUSTRY:
            label, label_zh = gettext("Industry not given"), "未填写行业"
        else:
            label, label_zh = str(Industry(letter).label), INDUSTRY_ZH.get(letter, letter)
        rows.append(group_stats(letter, label, label_zh, groups[letter], data))
    return rows


def by_tag(data: SurveyData) -> list[GroupStats]:
    """An enterprise with several tags counts in each of them; untagged ones in none."""
    english = (get_language() or "").startswith("en")
    groups = _grouped(data, lambda r: r.tags)
    rows = []
    for code in sorted(groups, key=lambda c: (data.tags[c][2], c)):
        name_zh, name_en, _order = data.tags[code]
        rows.append(group_stats(code, name_en if english else name_zh, name_zh, groups[code], data))
    return rows


@dataclass(frozen=True)
class OptionCount:
    value: str
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class QuestionStats:
    question: Question
    answered: int
    options: list[OptionCount]
    mean: float | None
    correct: int | None  # awareness questions: how many answered it right
    correct_rate: float | None


def question_stats(data: SurveyData) -> list[QuestionStats]:
    answered = [r for r in data.respondents if r.answered]
    out = []
    for question in data.questions:
        values = [r.values[question.pk] for r in answered if question.pk in r.values]
        options: list[OptionCount] = []
        if question.is_choice:
            counts: dict[str, int] = defaultdict(int)
            for value in values:
                for chosen in value if isinstance(value, list) else [value]:
                    counts[chosen] += 1
            options = [
                OptionCount(v, label, counts[v], percent(counts[v], len(values)))
                for v, label in question.choice_labels().items()
            ]
        elif question.kind == Question.Kind.YES_NO:
            yes = sum(1 for v in values if v is True)
            options = [
                OptionCount("yes", "是", yes, percent(yes, len(values))),
                OptionCount("no", "否", len(values) - yes, percent(len(values) - yes, len(values))),
            ]
        numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        correct = None
        if question.metric == Metric.AWARENESS:
            # Against everyone who answered the survey: a skipped awareness question is not known.
            correct = sum(1 for r in answered if question.is_correct(r.values.get(question.pk)))
        out.append(
            QuestionStats(
                question=question,
                answered=len(values),
                options=options,
                mean=statistics.fmean(numbers) if numbers and question.kind in NUMBER_KINDS else None,
                correct=correct,
                correct_rate=percent(correct, len(answered)) if correct is not None else None,
            )
        )
    return out


@dataclass(frozen=True)
class TextAnswers:
    """The written answers to one free-text question (e.g. the main difficulties and needs)."""

    question: Question
    answers: list[str]


def text_answers(data: SurveyData) -> list[TextAnswers]:
    """Each free-text question's non-blank answers, without the enterprises' names and sorted
    by text, not in the respondents' order (region, then name), so the list does not say who
    wrote what where the results show no enterprise."""
    out = []
    for question in data.questions:
        if question.kind != Question.Kind.TEXT:
            continue
        answers = [
            r.values[question.pk].strip()
            for r in data.respondents
            if r.answered and isinstance(r.values.get(question.pk), str) and r.values[question.pk].strip()
        ]
        out.append(TextAnswers(question, sorted(answers)))
    return out


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    data: SurveyData
    total: GroupStats
    regions: list[GroupStats]
    industries: list[GroupStats]
    tags: list[GroupStats]
    questions: list[QuestionStats]
    texts: list[TextAnswers]

    @property
    def threshold(self) -> int:
        return self.survey.questionnaire.aware_threshold

    @property
    def awareness_question_count(self) -> int:
        return len(self.data.awareness_questions)

    @property
    def target(self) -> float:
        return AWARENESS_TARGET

    def has(self, metric: str) -> bool:
        return self.data.metric_question(metric) is not None


def survey_results(survey: Survey) -> SurveyResults:
    """All the numbers of the results page and the report, in five queries."""
    data = load_survey(survey)
    total = group_stats("", gettext("All enterprises"), "全部企业", data.respondents, data)
    return SurveyResults(
        survey=survey,
        data=data,
        total=total,
        regions=by_region(data),
        industries=by_industry(data),
        tags=by_tag(data),
        questions=question_stats(data),
        texts=text_answers(data),
    )


# --- across surveys: the awareness rate of regions ----------------------------------------------


def awareness_counts(region_codes: list[str], year: int) -> dict[str, tuple[int, int]]:
    """For each region code: (aware enterprises, answering enterprises) in ``year``.

    Counts the baseline questionnaire's surveys answered in that year (Beijing time) by
    enterprises of the region's subtree; an enterprise that answered several times (two
    surveys, or a district's and a city's) counts once, by its latest answer. An unknown
    code counts (0, 0). Four queries whatever the number of regions.
    """
    result = {code: (0, 0) for code in region_codes}
    paths = dict(Region.objects.filter(code__in=region_codes).values_list("path", "code"))
    if not paths:
        return result
    within = Q()
    for path in paths:
        within |= Q(enterprise__region__path__subtree=path)
    start, end = year_bounds(year)
    assignments = SurveyAssignment.objects.filter(
        within, survey__questionnaire__is_baseline=True, answered_at__gte=start, answered_at__lt=end
    )
    latest: dict[int, tuple[datetime, int, int, str]] = {}
    for pk, enterprise_id, answered_at, questionnaire_id, path in assignments.values_list(
        "pk", "enterprise_id", "answered_at", "survey__questionnaire_id", "enterprise__region__path"
    ):
        if answered_at is None:  # never: the filter above asks for an answer in the year
            continue
        if enterprise_id not in latest or (answered_at, pk) > latest[enterprise_id][:2]:
            latest[enterprise_id] = (answered_at, pk, questionnaire_id, path)

    questions: dict[int, list[tuple[int, str, Any]]] = defaultdict(list)
    thresholds: dict[int, int] = {}
    for pk, questionnaire_id, kind, correct, threshold in Question.objects.filter(
        questionnaire__is_baseline=True, metric=Metric.AWARENESS
    ).values_list("pk", "questionnaire_id", "kind", "correct", "questionnaire__aware_threshold"):
        questions[questionnaire_id].append((pk, kind, correct))
        thresholds[questionnaire_id] = threshold

    wanted = {pk for _at, pk, _q, _p in latest.values()}
    values: dict[int, dict[int, Any]] = defaultdict(dict)
    for assignment_id, question_id, value in Answer.objects.filter(
        assignment__in=assignments, question__metric=Metric.AWARENESS
    ).values_list("assignment_id", "question_id", "value"):
        if assignment_id in wanted:
            values[assignment_id][question_id] = value

    aware: dict[str, int] = defaultdict(int)
    answering: dict[str, int] = defaultdict(int)
    for _answered_at, pk, questionnaire_id, path in latest.values():
        asked = questions.get(questionnaire_id)
        if not asked:
            continue
        correct = sum(is_correct_answer(kind, right, values[pk].get(qid)) for qid, kind, right in asked)
        ok = is_aware(correct, len(asked), thresholds[questionnaire_id])
        # Every given region this enterprise lies in: walk its path's prefixes.
        prefix = ""
        for part in path.strip("/").split("/"):
            prefix += part + "/"
            code = paths.get(prefix)
            if code is not None:
                answering[code] += 1
                aware[code] += ok
    for code in region_codes:
        if code in answering:
            result[code] = (aware[code], answering[code])
    return result
