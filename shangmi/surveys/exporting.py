"""A survey's raw data as a spreadsheet: one row per enterprise asked, one column per question.

Headers and values are in Chinese, as the report they go with. Choice answers are written as
their option texts, yes/no as 是/否, numbers as numbers (so the sheet sums and filters), and
the awareness columns repeat the rule's outcome so a reader can check the report's rate.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from shangmi.core.calendar import program_local
from shangmi.core.xlsx import new_workbook
from shangmi.enterprises.models import INDUSTRY_ZH
from shangmi.surveys.aggregation import SurveyData, load_survey
from shangmi.surveys.models import Question, Survey

FIXED_HEADERS = ("序号", "所在地区", "企业名称", "统一社会信用代码", "所属行业", "答复状态", "答复时间")


def export_filename(survey: Survey) -> str:
    return f"{survey.title}-调研数据.xlsx"


def cell_value(question: Question, value: Any) -> Any:
    """How one answer reads in the sheet."""
    if value is None:
        return ""
    if question.kind == Question.Kind.YES_NO:
        return "是" if value else "否"
    if question.is_choice:
        labels = question.choice_labels()
        chosen = value if isinstance(value, list) else [value]
        return "；".join(labels.get(str(v), str(v)) for v in chosen)
    return value


def answers_export(survey: Survey, target: IO[bytes] | Path, data: SurveyData | None = None) -> int:
    """Write the workbook to ``target``; returns the number of enterprise rows."""
    data = data or load_survey(survey)
    awareness = data.awareness_questions
    workbook = new_workbook(target, in_memory=True)
    sheet = workbook.add_worksheet("调研数据")
    head = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#ECEFF3"})
    headers = [*FIXED_HEADERS, *(f"{n}. {q.text}" for n, q in enumerate(data.questions, start=1))]
    if awareness:
        headers += ["知晓题答对数", f"是否知晓（答对≥{survey.questionnaire.aware_threshold}%）"]
    sheet.write_row(0, 0, headers, head)
    sheet.freeze_panes(1, 3)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 2, 24)
    sheet.set_column(3, 3, 21)
    sheet.set_column(4, 4, 18)
    sheet.set_column(5, 6, 17)
    sheet.set_column(len(FIXED_HEADERS), len(headers) - 1, 16)
    for index, respondent in enumerate(data.respondents, start=1):
        answered = respondent.answered_at
        row: list[Any] = [
            index,
            respondent.region_name,
            respondent.name,
            respondent.uscc,
            INDUSTRY_ZH.get(respondent.industry, ""),
            "已答复" if answered else "未答复",
            program_local(answered).strftime("%Y-%m-%d %H:%M") if answered else "",
        ]
        row += [cell_value(q, respondent.values.get(q.pk)) for q in data.questions]
        if awareness:
            row += [respondent.awareness_correct, "是" if respondent.aware else "否"] if answered else ["", ""]
        sheet.write_row(index, 0, row)
    workbook.close()
    return len(data.respondents)
