"""Reports, requests for more time, and confirming a task done: who may, when, and what changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.notices.models import Notification
from shangmi.plans import services
from shangmi.plans.models import Extension, Report, ReportFile, Task
from shangmi.plans.services import ReportInput
from tests.plans.conftest import DUE, PlanWorld
from tests.refusals import refused_with

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
PDF = "%PDF-1.4\n% 成果\n".encode()


def test_extension_asked_on_the_due_date_is_taken_and_after_it_refused(pw: PlanWorld) -> None:
    later = DUE + datetime.timedelta(days=30)
    with refused_with(services.EXTENSION_LATE):
        services.extension_ask(user=pw.lead_member, task=pw.task, reason="等待司法鉴定", new_due=later, today=DUE + DAY)
    assert not Extension.objects.exists()
    asked = services.extension_ask(user=pw.lead_member, task=pw.task, reason="等待司法鉴定", new_due=later, today=DUE)
    assert asked.status == Extension.Status.PENDING and asked.old_due == DUE
    assert Notification.objects.filter(recipient=pw.owner, url=pw.task.get_absolute_url()).exists()
    with refused_with(services.EXTENSION_PENDING):
        services.extension_ask(user=pw.lead_member, task=pw.task, reason="再等", new_due=later, today=DUE - DAY)


def test_extension_request_is_checked(pw: PlanWorld) -> None:
    today = DUE - datetime.timedelta(days=10)
    with refused_with(services.EXTENSION_DATE):
        services.extension_ask(user=pw.lead_member, task=pw.task, reason="原因", new_due=DUE, today=today)
    with refused_with(services.EXTENSION_REASON):
        services.extension_ask(user=pw.lead_member, task=pw.task, reason="  ", new_due=DUE + DAY, today=today)
    with refused_with(services.NOT_LEAD):  # a co-unit does not ask for the lead's time
        services.extension_ask(user=pw.co_member, task=pw.task, reason="原因", new_due=DUE + DAY, today=today)
    assert not Extension.objects.exists()


def test_approved_extension_moves_the_due_date(pw: PlanWorld) -> None:
    later = DUE + datetime.timedelta(days=30)
    asked = services.extension_ask(user=pw.lead_member, task=pw.task, reason="等待鉴定", new_due=later, today=DUE)
    with pytest.raises(Extension.DoesNotExist):  # the unit does not decide its own request
        services.extension_decide(user=pw.lead_member, extension=asked, approve=True)
    services.extension_decide(user=pw.owner, extension=asked, approve=True, today=DUE)
    pw.task.refresh_from_db()
    asked.refresh_from_db()
    assert pw.task.due_on == later and asked.status == Extension.Status.APPROVED and asked.decided_by == pw.owner
    assert not Notification.objects.filter(url=pw.task.get_absolute_url()).exists()  # the to-do is gone
    with refused_with(services.EXTENSION_DECIDED):
        services.extension_decide(user=pw.owner, extension=asked, approve=False, note="晚了")


def test_refused_extension_keeps_the_due_date_and_needs_a_reason(pw: PlanWorld) -> None:
    asked = services.extension_ask(user=pw.lead_member, task=pw.task, reason="人手不足", new_due=DUE + DAY, today=DUE)
    with refused_with(services.REFUSAL_NOTE):
        services.extension_decide(user=pw.owner, extension=asked, approve=False, note="")
    services.extension_decide(user=pw.owner, extension=asked, approve=False, note="按期完成", today=DUE)
    pw.task.refresh_from_db()
    asked.refresh_from_db()
    assert pw.task.due_on == DUE and asked.status == Extension.Status.REFUSED and asked.note == "按期完成"
    # A stranger regulator cannot decide: the request is not in their scope.
    again = services.extension_ask(user=pw.lead_member, task=pw.task, reason="再次申请", new_due=DUE + DAY, today=DUE)
    with pytest.raises(Extension.DoesNotExist):
        services.extension_decide(user=pw.world.regulator_out, extension=again, approve=True)


def test_reports_from_lead_and_co_unit(pw: PlanWorld, tmp_media: object) -> None:
    today = datetime.date(2026, 6, 1)
    report = services.task_report(
        user=pw.lead_member, task=pw.task, data=ReportInput(60, "已起草移交机制"),
        files=[SimpleUploadedFile("机制草案.pdf", PDF)], today=today,
    )  # fmt: skip
    pw.task.refresh_from_db()
    assert pw.task.progress == 60 and report.unit == pw.lead
    stored = ReportFile.objects.get(report=report)
    assert stored.original_name == "机制草案.pdf" and stored.content_type == "application/pdf"
    assert "机制草案" not in stored.file.name  # the stored name carries no user input
    services.task_report(user=pw.co_member, task=pw.task, data=ReportInput(90, "法院已会签"), today=today)
    pw.task.refresh_from_db()
    assert pw.task.progress == 60  # a co-unit's report does not move the lead's progress
    with refused_with(services.NOT_A_UNIT):
        services.task_report(user=pw.owner, task=pw.task, data=ReportInput(70, "代报"), today=today)


def test_a_bad_report_changes_nothing(pw: PlanWorld, tmp_media: object) -> None:
    bad = [
        (ReportInput(101, "超过"), [], services.PROGRESS_RANGE),
        (ReportInput(-1, "负数"), [], services.PROGRESS_RANGE),
        (ReportInput(50, " "), [], services.REPORT_EMPTY),
        # An executable named as a PDF: refused by its bytes.
        (ReportInput(50, "附件"), [SimpleUploadedFile("成果.pdf", b"MZ\x90\x00 not a pdf")], services.UPLOAD_REFUSED),
    ]
    for data, files, message in bad:
        with refused_with(message):
            services.task_report(user=pw.lead_member, task=pw.task, data=data, files=files)
    assert not Report.objects.exists() and not ReportFile.objects.exists()
    pw.task.refresh_from_db()
    assert pw.task.progress == 0


def test_claim_confirm_and_send_back(pw: PlanWorld) -> None:
    with refused_with(services.NOT_LEAD):
        services.task_claim_done(user=pw.co_member, task=pw.task)
    with refused_with(services.NOT_CLAIMED):
        services.task_confirm(user=pw.owner, task=pw.task)
    services.task_claim_done(user=pw.lead_member, task=pw.task, today=DUE)
    with refused_with(services.TASK_CLAIMED):
        services.task_claim_done(user=pw.lead_member, task=pw.task, today=DUE)
    with refused_with(services.RETURN_NOTE):
        services.task_send_back(user=pw.owner, task=pw.task, note="")
    services.task_send_back(user=pw.owner, task=pw.task, note="缺少会签文件")
    pw.task.refresh_from_db()
    assert pw.task.status == Task.Status.OPEN and pw.task.claimed_on is None
    assert Notification.objects.filter(recipient=pw.lead_member, title__contains="缺少会签文件").exists()
    services.task_claim_done(user=pw.lead_member, task=pw.task, today=DUE)
    with pytest.raises(Task.DoesNotExist):  # the unit cannot confirm its own task
        services.task_confirm(user=pw.lead_member, task=pw.task)
    services.task_confirm(user=pw.owner, task=pw.task, today=DUE + DAY)
    pw.task.refresh_from_db()
    assert pw.task.status == Task.Status.DONE and pw.task.progress == 100 and pw.task.confirmed_by == pw.owner
    with refused_with(services.TASK_CLOSED):
        services.task_report(user=pw.lead_member, task=pw.task, data=ReportInput(100, "补充"))
