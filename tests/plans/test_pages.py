"""The plan and task pages as the owner, a unit's member and strangers; the report form, the
export and the results compilation."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.creation.models import Title
from shangmi.plans.loading import plans_load
from shangmi.plans.models import Plan, PlanTarget, PlanUnit, Report, Task
from shangmi.plans.selectors import target_figures
from tests.plans.conftest import PlanWorld

pytestmark = pytest.mark.django_db
PDF = "%PDF-1.4\n% 成果\n".encode()


def test_owner_sees_every_task_a_unit_only_its_own_and_a_stranger_404(pw: PlanWorld, client) -> None:
    other_unit = PlanUnit.objects.create(plan=pw.plan, name="区经济信息委")
    Task.objects.create(
        plan=pw.plan, number=2, area_number=1, area="机制", text="联席会议机制", lead_unit=other_unit,
        due_on=datetime.date(2026, 11, 30),
    )  # fmt: skip
    url = reverse("plans:plan_detail", args=[pw.plan.pk])
    client.force_login(pw.owner)
    page = client.get(url).content.decode()
    assert "建立案件移交机制" in page and "联席会议机制" in page and 'data-testid="targets"' in page
    client.force_login(pw.co_member)
    page = client.get(url).content.decode()
    assert "建立案件移交机制" in page and "联席会议机制" not in page and 'data-testid="targets"' not in page
    for stranger in (pw.world.regulator_out, pw.world.ent_admin_in, pw.world.officer_in):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(reverse("plans:task_detail", args=[pw.task.pk])).status_code == 404
    # The city's bureau is above the district's: it reads the plan too.
    client.force_login(pw.world.city_regulator)
    assert client.get(url).status_code == 200


def test_unit_reports_through_the_page_and_the_owner_downloads_the_file(pw: PlanWorld, client, tmp_media) -> None:
    client.force_login(pw.lead_member)
    response = client.post(
        reverse("plans:task_report", args=[pw.task.pk]),
        {"progress": "45", "text": "完成调研", "attachments": [SimpleUploadedFile("调研报告.pdf", PDF)]},
    )
    assert response.status_code == 302
    report = Report.objects.get(task=pw.task)
    assert report.progress == 45
    stored = report.files.get()
    # A bad form changes nothing and says why.
    response = client.post(
        reverse("plans:task_report", args=[pw.task.pk]), {"progress": "abc", "text": "x"}, follow=True
    )
    assert Report.objects.count() == 1 and "请检查填写内容" in response.content.decode()
    client.force_login(pw.owner)
    download = client.get(reverse("plans:report_file", args=[stored.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(pw.world.regulator_out)
    assert client.get(reverse("plans:report_file", args=[stored.pk])).status_code == 404


def test_task_export_follows_the_filter(pw: PlanWorld, client) -> None:
    from python_calamine import CalamineWorkbook

    client.force_login(pw.owner)
    response = client.get(reverse("plans:task_export") + f"?plan={pw.plan.pk}")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[1][3] == "建立案件移交机制" and rows[1][4] == "区市场监管局" and rows[1][5] == "区法院"
    assert client.get(reverse("plans:task_export") + "?plan=999999").status_code == 400


def test_compilation_in_the_summary_phase_as_word_and_pdf(client, world, tmp_path: Path) -> None:
    from docx import Document

    plans_load()
    plan = Plan.objects.get(code="jiangbei-2023")
    task = plan.tasks.get(number=16)
    lead = task.lead_unit
    member = world.officer_in
    lead.members.add(member)
    Report.objects.create(task=task, unit=lead, progress=80, text="港城园区示范基地已建成", reported_by=member,
                          reported_on=datetime.date(2026, 4, 1))  # fmt: skip
    client.force_login(world.regulator_in)
    url = reverse("plans:compilation_docx", args=[plan.pk])
    # Before the summary phase: refused, with the date it opens.
    summary = plan.phases.get(summary=True)
    summary.starts_on = program_today() + datetime.timedelta(days=1)
    summary.save()
    refused = client.get(url, follow=True)
    assert refused.redirect_chain[-1][0] == plan.get_absolute_url()
    assert summary.starts_on.isoformat() in refused.content.decode()
    summary.starts_on = program_today()
    summary.save()
    response = client.get(url)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    for number in range(1, 28):
        assert f"{number}. {plan.tasks.get(number=number).text}" in text
    assert "港城园区示范基地已建成" in text and text.index("1. 结合") < text.index("27. 充分运用")
    pdf = client.get(reverse("plans:compilation_pdf", args=[plan.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "c.pdf").write_bytes(pdf.content)
    extracted = subprocess.run(["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True).stdout
    assert "港城园区示范基地已建成" in extracted.replace("\n", "")
    # A unit's member does not compile: 404.
    client.force_login(member)
    assert client.get(url).status_code == 404


def test_target_figures_come_from_the_platform(world) -> None:
    plans_load()
    plan = Plan.objects.get(code="jiangbei-2023")
    figures = {f.target.code: f for f in target_figures(plan, datetime.date(2026, 6, 1))}
    # world: one liaison-point enterprise in 江北区, no title, no case, no survey.
    assert figures["liaison"].value == 1
    assert figures["bases"].value == 0 and figures["cases"].value == 0
    assert figures["awareness"].value is None  # no survey data: unknown, not zero
    assert figures["team"].target.measure == PlanTarget.Measure.NONE and figures["team"].value is None
    assert Title.objects.count() == 0
