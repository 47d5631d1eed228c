"""The survey pages: who sees what, the answer form's messages, results, spreadsheet, editor."""

from __future__ import annotations

import datetime
import io
import json
import re
from typing import Any

from django.urls import reverse
from python_calamine import CalamineWorkbook

from shangmi.core.calendar import program_today
from shangmi.notices.models import Notification
from shangmi.surveys import services
from shangmi.surveys.loading import baseline
from shangmi.surveys.models import Questionnaire, Survey, SurveyAssignment
from tests.surveys.conftest import SmallSurvey, answers, issue_baseline

# A number only 江津's enterprise answers: if it shows on a 江北 page, answers leaked.
JIANGJIN_SECRETS = 7345


def district_surveys(world: Any) -> tuple[Survey, Survey]:
    """One baseline survey per district, each answered by its own enterprise."""
    inside = issue_baseline(world, world.regulator_in, title="江北区调研")
    outside = issue_baseline(world, world.regulator_out, title="江津区调研")
    services.answers_save(world.ent_admin_in, inside.assignments.get(), answers(12, 3, 90, 40, True, 6))
    services.answers_save(
        world.ent_admin_out, outside.assignments.get(), answers(JIANGJIN_SECRETS, 5, 61.5, 10, False, 2)
    )
    return inside, outside


def post_answers(values: dict[str, Any]) -> dict[str, Any]:
    """The form's field names for a dict of answers by code."""
    data: dict[str, Any] = {}
    for code, value in values.items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        data[f"q_{code}"] = value
    return data


# --- scope ----------------------------------------------------------------------------------------


def test_an_enterprise_sees_only_its_own_surveys_and_answers(world, client) -> None:
    inside, outside = district_surveys(world)
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("surveys:survey_list")).content.decode()
    assert "江北区调研" in page and "江津区调研" not in page
    assert client.get(reverse("surveys:survey_detail", args=[outside.pk])).status_code == 404
    own = inside.assignments.get()
    other = outside.assignments.get()
    detail = client.get(reverse("surveys:assignment_detail", args=[own.pk]))
    assert detail.status_code == 200 and "12" in detail.content.decode()
    for name in ("assignment_detail", "answer"):
        assert client.get(reverse(f"surveys:{name}", args=[other.pk])).status_code == 404
    assert client.post(reverse("surveys:answer", args=[other.pk]), {}).status_code == 404
    # The numbers and the report are the bureau's, even of the enterprise's own survey.
    for name in ("survey_results", "survey_report", "survey_export"):
        assert client.get(reverse(f"surveys:{name}", args=[inside.pk])).status_code == 404
    assert client.get(reverse("surveys:survey_create")).status_code == 404


def test_a_regulator_outside_gets_404(world, client) -> None:
    inside, _outside = district_surveys(world)
    client.force_login(world.regulator_out)
    for name in ("survey_detail", "survey_results", "survey_report", "survey_export"):
        assert client.get(reverse(f"surveys:{name}", args=[inside.pk])).status_code == 404
    for name in ("survey_close", "survey_remind", "survey_deadline"):
        assert client.post(reverse(f"surveys:{name}", args=[inside.pk])).status_code == 404
    assert client.get(reverse("surveys:assignment_detail", args=[inside.assignments.get().pk])).status_code == 404
    assert Survey.objects.get(pk=inside.pk).status == Survey.Status.OPEN


def test_the_results_of_a_jiangbei_survey_show_no_jiangjin_answers(world, client) -> None:
    inside, _outside = district_surveys(world)
    client.force_login(world.regulator_in)
    response = client.get(reverse("surveys:survey_results", args=[inside.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "江北区" in page and "12" in page
    for leak in (str(JIANGJIN_SECRETS), "61.5", world.ent_out.name, "江津"):
        assert leak not in page
    sheet = client.get(reverse("surveys:survey_export", args=[inside.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content)).get_sheet_by_index(0).to_python()
    cells = [str(cell) for row in rows for cell in row]
    assert world.ent_in.uscc in cells and world.ent_out.uscc not in cells and str(JIANGJIN_SECRETS) not in cells


# --- answering ----------------------------------------------------------------------------------


def test_the_answer_form_explains_what_is_wrong_and_saves_nothing(world, client) -> None:
    survey = issue_baseline(world, world.regulator_in)
    assignment = survey.assignments.get()
    client.force_login(world.ent_admin_in)
    url = reverse("surveys:answer", args=[assignment.pk])
    assert client.get(url).status_code == 200
    bad = post_answers({**answers(1, 1, 1, 1, True, 6), "trade_secrets": "-5", "nda_rate": "150", "aw_term": "z"})
    del bad["q_has_system"]
    response = client.post(url, bad)
    assert response.status_code == 200
    page = response.content.decode()
    for message in (
        "Enter a whole number, 0 or more.",
        "Enter a percentage between 0 and 100.",
        "This question must be answered.",
        "Choose one of the listed options.",
    ):
        assert message in page
    assert 'data-testid="error-trade_secrets"' in page
    assert SurveyAssignment.objects.get(pk=assignment.pk).answered_at is None

    good = post_answers({**answers(3, 2, 95.5, 30, True, 5), "measures": ["office", "people"], "needs": "需要培训"})
    response = client.post(url, good)
    assert response.status_code == 302 and response.url == reverse("surveys:assignment_detail", args=[assignment.pk])
    saved = services.answers_of(assignment)
    assert saved["nda_rate"] == 95.5 and saved["measures"] == ["office", "people"] and saved["has_system"] is True
    # Editing shows the saved answers again.
    page = client.get(url).content.decode()
    assert 'value="95.5"' in page and "需要培训" in page


def test_after_the_deadline_or_for_the_bureau_the_form_is_not_offered(world, client) -> None:
    survey = issue_baseline(world, world.regulator_in)
    assignment = survey.assignments.get()
    url = reverse("surveys:answer", args=[assignment.pk])
    client.force_login(world.regulator_in)
    assert client.get(url).url == reverse("surveys:assignment_detail", args=[assignment.pk])
    Survey.objects.filter(pk=survey.pk).update(deadline=program_today() - datetime.timedelta(days=1))
    client.force_login(world.ent_admin_in)
    response = client.post(url, post_answers(answers(3, 2, 95, 30, True, 5)))
    assert response.status_code == 302
    assert SurveyAssignment.objects.get(pk=assignment.pk).answered_at is None


# --- the regulator's pages ------------------------------------------------------------------------


def test_issue_follow_remind_and_close_through_the_pages(world, client) -> None:
    baseline()
    client.force_login(world.regulator_in)
    form = client.get(reverse("surveys:survey_create")).content.decode()
    assert "企业商业秘密保护基本情况调查问卷" in form
    response = client.post(
        reverse("surveys:survey_create"),
        {
            "questionnaire": baseline().pk,
            "title": "江北区基本情况调研",
            "deadline": (program_today() + datetime.timedelta(days=10)).isoformat(),
            "region": world.jiangbei.pk,
        },
    )
    survey = Survey.objects.get(title="江北区基本情况调研")
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert 'data-testid="answered">0/1<' in detail and world.ent_in.name in detail
    client.post(reverse("surveys:survey_remind", args=[survey.pk]))
    assert Notification.objects.filter(recipient=world.ent_admin_in, title__startswith="Reminder").count() == 1
    assert client.get(reverse("surveys:survey_report", args=[survey.pk])).url == survey.get_absolute_url()
    client.post(reverse("surveys:survey_close", args=[survey.pk]))
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.CLOSED
    report = client.get(reverse("surveys:survey_report", args=[survey.pk]))
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF") and "filename*=utf-8''" in report["Content-Disposition"]


def test_the_results_page_carries_its_chart_data(small: SmallSurvey, client) -> None:
    client.force_login(small.world.city_regulator)
    response = client.get(reverse("surveys:survey_results", args=[small.survey.pk]))
    page = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page and "shangmi/surveys.js" in page
    # What surveys.js reads: the json_script block of the page itself.
    block = re.search(r'<script id="survey-chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["regions"] == ["江北区", "江津区"]
    assert data["awareness"] == [100.0, 0.0] and data["target"] == 90.0
    assert data["nda"] == [90.0, 60.0] and data["system"] == [50.0, 100.0]
    assert 'data-testid="awareness-rate">66.7%<' in page


def test_the_spreadsheet_has_one_row_per_enterprise(small: SmallSurvey, client) -> None:
    client.force_login(small.world.city_regulator)
    response = client.get(reverse("surveys:survey_export", args=[small.survey.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header = rows[0]
    assert header[:7] == ["序号", "所在地区", "企业名称", "统一社会信用代码", "所属行业", "答复状态", "答复时间"]
    assert header[-2:] == ["知晓题答对数", "是否知晓（答对≥80%）"]
    by_uscc = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_uscc) == 4
    a = by_uscc[small.world.ent_in.uscc]
    assert a["所在地区"] == "重庆市江北区" and a["所属行业"] == "制造业" and a["答复状态"] == "已答复"
    assert a["1. 贵单位目前认定并采取保密措施管理的商业秘密数量（项）"] == 10
    assert a["5. 贵单位是否建立了商业秘密保护制度（如保密管理制度、涉密人员管理制度等）？"] == "是"
    elements = next(h for h in header if h.endswith("商业秘密的构成要件包括哪些？（多选）"))
    assert a[elements] == "不为公众所知悉（秘密性）；具有商业价值（价值性）；经权利人采取相应保密措施（保密性）"
    assert (a["知晓题答对数"], a["是否知晓（答对≥80%）"]) == (6, "是")
    c = by_uscc[small.world.ent_out.uscc]
    assert (c["知晓题答对数"], c["是否知晓（答对≥80%）"]) == (4, "否")
    d = next(row for uscc, row in by_uscc.items() if row["企业名称"] == "江津机械制造有限公司")
    assert d["答复状态"] == "未答复" and d["知晓题答对数"] == ""


def test_the_question_editor(world, client) -> None:
    client.force_login(world.regulator_in)
    client.post(
        reverse("surveys:questionnaire_create"),
        {"title": "江北区商业秘密保护需求调查", "description": "", "aware_threshold": 80},
    )
    questionnaire = Questionnaire.objects.get(title="江北区商业秘密保护需求调查")
    add = reverse("surveys:question_add", args=[questionnaire.pk])
    # An awareness question without a marked right answer is refused with the reason.
    response = client.post(
        add, {"text": "商业秘密的保护期限", "kind": "single", "options": "10年\n无固定期限", "metric": "awareness"}
    )
    assert "An awareness question needs its right answer marked." in response.content.decode()
    client.post(
        add,
        {"text": "商业秘密的保护期限", "kind": "single", "options": "10年\n*无固定期限", "metric": "awareness",
         "required": "on"},
    )  # fmt: skip
    client.post(add, {"text": "贵单位的主要需求", "kind": "text", "options": "", "metric": ""})
    first, second = questionnaire.questions.all()
    assert (first.kind, first.correct, first.required) == ("single", "b", True)
    assert (second.kind, second.required) == ("text", False)
    client.post(reverse("surveys:question_move", args=[questionnaire.pk, second.pk]), {"direction": "up"})
    assert list(questionnaire.questions.values_list("pk", flat=True)) == [second.pk, first.pk]
    edit = reverse("surveys:question_edit", args=[questionnaire.pk, first.pk])
    assert "*无固定期限" in client.get(edit).content.decode()
    client.post(
        edit, {"text": "商业秘密保护期限", "kind": "single", "options": "十年\n*没有固定期限", "metric": "awareness"}
    )
    first.refresh_from_db()
    assert first.text == "商业秘密保护期限" and first.choice_labels() == {"a": "十年", "b": "没有固定期限"}

    # Once issued, the questions stay; a copy is the way to change them.
    services.survey_issue(
        world.regulator_in,
        services.SurveyInput(questionnaire=questionnaire, title="需求调查", deadline=program_today(),
                             region=world.jiangbei),
    )  # fmt: skip
    response = client.post(reverse("surveys:question_delete", args=[questionnaire.pk, first.pk]), follow=True)
    assert "has been issued" in response.content.decode()
    assert questionnaire.questions.count() == 2
    copy = client.post(reverse("surveys:questionnaire_copy", args=[questionnaire.pk]))
    assert Questionnaire.objects.get(pk=int(copy.url.strip("/").split("/")[-1])).questions.count() == 2
    # The other district's regulator cannot edit it (404), nor can an enterprise copy it.
    client.force_login(world.regulator_out)
    assert client.get(add).status_code == 404
    client.force_login(world.ent_admin_in)
    assert client.post(reverse("surveys:questionnaire_copy", args=[questionnaire.pk])).status_code == 404
    assert client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk])).status_code == 200


def test_the_answer_key_is_shown_to_bureaus_not_to_the_enterprises_who_answer(world, client) -> None:
    questionnaire = baseline()
    url = reverse("surveys:questionnaire_detail", args=[questionnaire.pk])
    marker = 'class="small text-success"'
    client.force_login(world.regulator_in)
    assert marker in client.get(url).content.decode()
    client.force_login(world.ent_admin_in)
    page = client.get(url)
    assert page.status_code == 200 and marker not in page.content.decode()


# --- the assignment table's filter ----------------------------------------------------------------


def _table_rows(page: str) -> list[str]:
    table = page.split('data-testid="assignment-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", table.split("<tbody>", 1)[1])


def test_the_assignment_table_shows_the_unanswered_by_default_and_the_answered_on_request(
    small: SmallSurvey, client
) -> None:
    client.force_login(small.world.city_regulator)
    url = reverse("surveys:survey_detail", args=[small.survey.pk])
    assert _table_rows(client.get(url).content.decode()) == ["江津机械制造有限公司"]
    answered = _table_rows(client.get(url, {"show": "answered"}).content.decode())
    assert sorted(answered) == sorted([small.a.enterprise.name, small.b.enterprise.name, small.c.enterprise.name])


def test_a_bad_filter_value_is_the_filters_error_not_another_table(small: SmallSurvey, client) -> None:
    client.force_login(small.world.city_regulator)
    response = client.get(reverse("surveys:survey_detail", args=[small.survey.pk]), {"show": "everything"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page and "everything" in page
    assert _table_rows(page) == []


def test_a_bad_status_on_the_survey_list_is_said(small: SmallSurvey, client) -> None:
    client.force_login(small.world.city_regulator)
    url = reverse("surveys:survey_list")
    assert 'data-testid="filter-errors"' not in client.get(url, {"status": "open"}).content.decode()
    response = client.get(url, {"status": "half-open"})
    assert response.status_code == 200 and 'data-testid="filter-errors"' in response.content.decode()
