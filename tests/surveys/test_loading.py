"""The baseline questionnaire ships as a data file and loads idempotently."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shangmi.surveys.loading import (
    CREATED,
    DATA_DIR,
    UNCHANGED,
    UPDATED,
    QuestionnaireLoadError,
    questionnaire_load,
    questionnaires_load,
)
from shangmi.surveys.models import Question, Questionnaire
from tests.surveys.conftest import RIGHT

BASELINE = DATA_DIR / "baseline.toml"


@pytest.mark.django_db
def test_baseline_loads_once_and_again_changes_nothing() -> None:
    first = questionnaire_load(BASELINE)
    assert first.status == CREATED
    questionnaire = first.questionnaire
    assert questionnaire.is_baseline and questionnaire.region is None
    assert questionnaire.aware_threshold == 80
    ids = dict(questionnaire.questions.values_list("code", "pk"))

    again = questionnaires_load()
    assert [r.status for r in again] == [UNCHANGED]
    assert Questionnaire.objects.count() == 1
    assert dict(questionnaire.questions.values_list("code", "pk")) == ids


@pytest.mark.django_db
def test_baseline_has_the_seed_002_indicators_and_awareness_questions() -> None:
    questionnaire = questionnaire_load(BASELINE).questionnaire
    by_metric = {q.metric: q for q in questionnaire.questions.exclude(metric="awareness").exclude(metric="")}
    assert {m: (q.text, q.kind) for m, q in by_metric.items()} == {
        "trade_secrets": ("贵单位目前认定并采取保密措施管理的商业秘密数量（项）", "integer"),
        "patents": ("贵单位拥有的有效专利数量（件）", "integer"),
        "nda_rate": (by_metric["nda_rate"].text, "percent"),
        "non_compete_rate": (by_metric["non_compete_rate"].text, "percent"),
        "has_system": (by_metric["has_system"].text, "yes_no"),
    }
    assert by_metric["nda_rate"].text.startswith("保密协议签订率")
    assert by_metric["non_compete_rate"].text.startswith("竞业限制协议签订率")
    assert "商业秘密保护制度" in by_metric["has_system"].text
    awareness = list(questionnaire.questions.filter(metric="awareness"))
    assert len(awareness) >= 5
    assert {q.code: q.correct for q in awareness} == RIGHT
    assert all(q.kind in ("single", "multiple") and len(q.choices) >= 4 for q in awareness)
    elements = next(q for q in awareness if q.code == "aw_elements")
    chosen = [c["label"] for c in elements.choices if c["value"] in elements.correct]
    assert chosen == ["不为公众所知悉（秘密性）", "具有商业价值（价值性）", "经权利人采取相应保密措施（保密性）"]
    assert "第九条" in next(q for q in awareness if q.code == "aw_article9").text


@pytest.mark.django_db
def test_a_changed_file_updates_in_place_and_keeps_answered_questions(tmp_path: Path, small) -> None:
    questionnaire = small.survey.questionnaire
    text = BASELINE.read_text(encoding="utf-8")
    changed = tmp_path / "baseline.toml"
    longer = "贵单位拥有的有效专利数量（件，含发明、实用新型和外观设计）"
    changed.write_text(text.replace("贵单位拥有的有效专利数量（件）", longer), encoding="utf-8")
    before = dict(questionnaire.questions.values_list("code", "pk"))
    assert questionnaire_load(changed).status == UPDATED
    assert dict(questionnaire.questions.values_list("code", "pk")) == before
    assert Question.objects.get(questionnaire=questionnaire, code="patents").text.endswith("外观设计）")

    # Removing a question that has answers is refused, and nothing of the file is written.
    start = text.index('[[questions]]\ncode = "patents"')
    removed = tmp_path / "removed.toml"
    removed.write_text(text[:start] + text[text.index("[[questions]]", start + 5) :], encoding="utf-8")
    with pytest.raises(QuestionnaireLoadError, match="patents"):
        questionnaire_load(removed)
    assert questionnaire.questions.filter(code="patents").exists()


@pytest.mark.django_db
def test_a_bad_file_names_the_question_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'code = "bad"\ntitle = "坏问卷"\n'
        '[[questions]]\ncode = "q1"\ntext = "商业秘密数量"\nkind = "integer"\nmetric = "trade_secrets"\n'
        '[[questions]]\ncode = "q2"\ntext = "构成要件"\nkind = "single"\nmetric = "awareness"\n'
        'choices = [{ value = "a", label = "秘密性" }, { value = "b", label = "新颖性" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireLoadError, match=r"bad\.toml: question 2 \(q2\).*right answer"):
        questionnaire_load(bad)
    assert not Questionnaire.objects.filter(code="bad").exists()


@pytest.mark.django_db
def test_command_loads_and_reports(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("load_questionnaires", stdout=out)
    assert "baseline" in out.getvalue() and "created" in out.getvalue()
    out = io.StringIO()
    call_command("load_questionnaires", stdout=out)
    assert "unchanged" in out.getvalue()
    broken = tmp_path / "broken.toml"
    broken.write_text("code = ", encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("load_questionnaires", str(broken), stdout=io.StringIO(), stderr=io.StringIO())
