"""A case after opening (市场监督管理行政处罚程序规定 arts. 22-78): evidence of the eight kinds, the
trade-secret checklist, preservation (7 working days or it lapses) and seizure, appraisal
stopping the clock, the report and its legal review (10 working days, never by an
investigator), the notice with its 5-working-day window, the hearing (7 days' notice, a chair
who did not investigate), the decision with the fine of the law in force on the date of the
act, service with its proof, payment and closing. Each rule at its edges; a refusal changes
nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.enforcement import procedure
from shangmi.enforcement.models import (
    Case,
    CaseEvent,
    ChecklistEntry,
    EvidenceItem,
    InvestigationReport,
    Measure,
    PenaltyNotice,
    ServiceRecord,
)
from shangmi.enforcement.procedure import EvidenceInput, ReportInput, ServiceInput
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from tests.enforcement.steps import investigated, new_case, noticed, proof, reported, reviewed
from tests.refusals import refused_with

D = datetime.date


@pytest.fixture
def loaded(db: Any, tmp_media: Any) -> None:
    calendars_load()
    rules_load()


def snapshot(case: Case) -> tuple[Any, ...]:
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        CaseEvent.objects.filter(case=case).count(),
        EvidenceItem.objects.filter(case=case).count(),
        ServiceRecord.objects.filter(case=case).count(),
    )


# --- evidence and the checklist --------------------------------------------------------------------


def test_evidence_of_the_eight_kinds_with_source_and_fixing(world: Any, loaded: None) -> None:
    assert len(EvidenceItem.Kind.values) == 8
    case = new_case(world)
    today = D(2026, 5, 21)

    def add(**kw: Any) -> EvidenceItem:
        data = {"kind": "documentary", "title": "保密协议", "source": "权利人提供", "obtained_on": today, **kw}
        return procedure.evidence_add(user=world.officer_in, case=case, data=EvidenceInput(**data), today=today)

    before = snapshot(case)
    with refused_with(procedure.EVIDENCE_EMPTY):
        add(source=" ")
    with refused_with(procedure.EVIDENCE_FIXING):
        add(kind="electronic")  # how it was fixed is not said
    with refused_with(procedure.EVIDENCE_FIXING):
        add(kind="electronic", fixing="copy")  # a copy without method, time and maker
    with refused_with(procedure.DATE_FUTURE):
        add(obtained_on=D(2026, 5, 22))
    assert snapshot(case) == before
    first = add()
    copy = add(kind="electronic", fixing="copy", fixing_detail="2026-05-21 U盘复制，执法人员李四制作")
    original = add(kind="electronic", fixing="original", title="涉案笔记本电脑")
    witness = add(kind="witness", fixing="copy", fixing_detail="ignored")  # only electronic data is 'fixed'
    assert [first.number, copy.number, original.number, witness.number] == [1, 2, 3, 4]
    assert (witness.fixing, witness.fixing_detail) == ("", "")
    assert case.events.filter(kind=CaseEvent.Kind.EVIDENCE, actor=world.officer_in).count() == 4
    with pytest.raises(ValueError):
        first.save()  # append-only


def test_only_the_case_people_record_evidence(world: Any, loaded: None) -> None:
    case = new_case(world)
    data = EvidenceInput(kind="documentary", title="合同", source="当事人", obtained_on=D(2026, 5, 21))
    with refused_with(procedure.CASE_NOT_YOURS):
        procedure.evidence_add(user=world.officer_out, case=case, data=data, today=D(2026, 5, 21))
    assert not case.evidence.exists()


def test_the_report_needs_evidence_and_the_whole_checklist(world: Any, loaded: None) -> None:
    case = new_case(world)
    today = D(2026, 5, 21)
    data = ReportInput(facts="事实", grounds="依据", proposal="penalty", proposed_fine=Decimal(300000))
    with refused_with(procedure.REPORT_NO_EVIDENCE):
        procedure.report_submit(user=world.regulator_in, case=case, data=data, today=today)
    item = procedure.evidence_add(
        user=world.officer_in, case=case, today=today,
        data=EvidenceInput(kind="physical", title="模具", source="当事人车间", obtained_on=today),
    )  # fmt: skip
    for group in ("secret", "measures", "value", "access"):
        procedure.checklist_record(user=world.officer_in, case=case, group=group, finding="已固定", evidence=[item.pk])
    with refused_with(procedure.CHECKLIST_MISSING) as refusal:
        procedure.report_submit(user=world.regulator_in, case=case, data=data, today=today)
    assert "损失" in str(refusal.value) or "Loss" in str(refusal.value)
    other = new_case(world, n=1)
    other_item = procedure.evidence_add(
        user=world.officer_in, case=other, today=today,
        data=EvidenceInput(kind="physical", title="别案物证", source="x", obtained_on=today),
    )  # fmt: skip
    with refused_with(procedure.CHECKLIST_EVIDENCE):
        procedure.checklist_record(
            user=world.officer_in, case=case, group="loss", finding="x", evidence=[other_item.pk]
        )
    procedure.checklist_record(user=world.officer_in, case=case, group="loss", finding="许可费损失35万元")
    assert procedure.checklist_missing(case) == []
    report = procedure.report_submit(user=world.officer_in, case=case, data=data, today=today)
    assert report.review_due == D(2026, 6, 4)  # 10 working days after Thursday 21 May
    case.refresh_from_db()
    assert case.stage == Case.Stage.REVIEW and case.step_due == D(2026, 6, 4)
    # The investigation is over: no more evidence until the review returns the report.
    with refused_with(procedure.CASE_ORDER):
        procedure.checklist_record(user=world.officer_in, case=case, group="loss", finding="补充")
    assert ChecklistEntry.objects.filter(case=case).count() == 5


def test_the_report_is_written_by_an_investigator(world: Any, loaded: None) -> None:
    case = investigated(world, new_case(world), today=D(2026, 5, 21))
    data = ReportInput(facts="事实", grounds="依据", proposal="no_penalty")
    with refused_with(procedure.REPORT_AUTHOR):
        procedure.report_submit(user=world.city_regulator, case=case, data=data, today=D(2026, 5, 21))
    with refused_with(procedure.CASE_FINE):  # a penalty proposed outside the law's bounds
        procedure.report_submit(
            user=world.regulator_in, case=case, today=D(2026, 5, 21),
            data=ReportInput(facts="事实", grounds="依据", proposal="penalty", proposed_fine=Decimal(99999)),
        )  # fmt: skip
    assert not case.reports.exists()


# --- preservation, seizure, appraisal --------------------------------------------------------------


def test_preservation_is_decided_within_7_working_days_or_lapses(world: Any, loaded: None) -> None:
    case = new_case(world)
    with refused_with(procedure.DATE_FUTURE):
        procedure.measure_start(user=world.regulator_in, case=case, kind="preservation", items="图纸5套",
                                approval="局长批准", started_on=D(2026, 6, 16), today=D(2026, 6, 15))  # fmt: skip
    with refused_with(procedure.CASE_BUREAU_ONLY):  # the head's approval is the bureau's
        procedure.measure_start(user=world.officer_in, case=case, kind="preservation", items="图纸5套",
                                approval="局长批准", started_on=D(2026, 6, 15), today=D(2026, 6, 15))  # fmt: skip
    first = procedure.measure_start(user=world.regulator_in, case=case, kind="preservation", items="图纸5套",
                                    approval="局长批准", started_on=D(2026, 6, 15), today=D(2026, 6, 15))  # fmt: skip
    # Monday 15 June + 7 working days, the Dragon Boat holiday (19-21 June) skipped: Thursday 25 June.
    assert first.due_on == D(2026, 6, 25)
    second = procedure.measure_start(user=world.regulator_in, case=case, kind="preservation", items="硬盘1块",
                                     approval="局长批准", started_on=D(2026, 6, 15), today=D(2026, 6, 15))  # fmt: skip
    done = procedure.measure_decide(user=world.regulator_in, case=case, measure=first, outcome="appraisal",
                                    today=D(2026, 6, 25))  # fmt: skip
    assert done.ended_on == D(2026, 6, 25)
    with refused_with(procedure.MEASURE_ENDED):
        procedure.measure_decide(user=world.regulator_in, case=case, measure=first, outcome="released")
    with refused_with(procedure.MEASURE_LAPSED):
        procedure.measure_decide(user=world.regulator_in, case=case, measure=second, outcome="seized",
                                 today=D(2026, 6, 26))  # fmt: skip
    second.refresh_from_db()
    assert second.ended_on is None
    with refused_with(procedure.MEASURE_OPEN):  # an undecided preservation blocks the report
        reported(world, case, today=D(2026, 6, 26))
    procedure.measure_decide(user=world.regulator_in, case=case, measure=second, outcome="released",
                             today=D(2026, 6, 26))  # fmt: skip


def test_a_seizure_runs_30_days_extended_once(world: Any, loaded: None) -> None:
    case = new_case(world)
    seizure = procedure.measure_start(user=world.regulator_in, case=case, kind="seizure", items="生产线",
                                      approval="局长批准", started_on=D(2026, 6, 1), today=D(2026, 6, 1))  # fmt: skip
    assert seizure.due_on == D(2026, 7, 1)
    with refused_with(procedure.MEASURE_OUTCOME):
        procedure.measure_decide(user=world.regulator_in, case=case, measure=seizure, outcome="seized")
    seizure = procedure.measure_extend(user=world.regulator_in, case=case, measure=seizure, reason="情况复杂",
                                       today=D(2026, 7, 1))  # fmt: skip
    assert seizure.due_on == D(2026, 7, 31)
    with refused_with(procedure.MEASURE_EXTEND):
        procedure.measure_extend(
            user=world.regulator_in, case=case, measure=seizure, reason="再延", today=D(2026, 7, 2)
        )


def test_an_appraisal_stops_the_clock(world: Any, loaded: None) -> None:
    case = new_case(world, opened_on=D(2026, 6, 1))
    assert case.decision_due == D(2026, 8, 31)  # 90 days end Sunday 30 August: moved to Monday
    appraisal = procedure.appraisal_start(user=world.regulator_in, case=case, institution="某司法鉴定所",
                                          matters="非公知性鉴定", today=D(2026, 6, 10))  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.SUSPENDED and appraisal.stopped_clock
    with refused_with(procedure.APPRAISAL_OPEN):
        reported(world, case, today=D(2026, 6, 15))
    procedure.appraisal_finish(user=world.regulator_in, case=case, appraisal=appraisal, conclusion="不为公众所知悉",
                               today=D(2026, 6, 20))  # fmt: skip
    case.refresh_from_db()
    # 10 days stood: 90 + 10 days from 1 June, Wednesday 9 September.
    assert case.status == Case.Status.INVESTIGATING and case.decision_due == D(2026, 9, 9)
    assert case.evidence.filter(kind=EvidenceItem.Kind.APPRAISAL, source="某司法鉴定所").exists()
    with refused_with(procedure.APPRAISAL_DONE):
        procedure.appraisal_finish(user=world.regulator_in, case=case, appraisal=appraisal, conclusion="again")


# --- legal review ----------------------------------------------------------------------------------


def test_the_legal_review_is_never_by_an_investigator(world: Any, loaded: None) -> None:
    case = reported(world, new_case(world), today=D(2026, 5, 21))
    before = snapshot(case)
    with refused_with(procedure.REVIEWER_INVESTIGATED):
        procedure.report_review(user=world.regulator_in, case=case, approve=True, opinion="同意", today=D(2026, 5, 22))
    with refused_with(procedure.CASE_BUREAU_ONLY):
        procedure.report_review(user=world.officer_in, case=case, approve=True, opinion="同意", today=D(2026, 5, 22))
    assert snapshot(case) == before
    procedure.report_review(
        user=world.city_regulator, case=case, approve=False, opinion="证据不足", today=D(2026, 6, 4)
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.INVESTIGATION  # returned: investigate and report again
    case = reported(world, case, today=D(2026, 6, 5))
    procedure.report_review(user=world.city_regulator, case=case, approve=True, opinion="同意", today=D(2026, 6, 5))
    case.refresh_from_db()
    assert case.stage == Case.Stage.NOTICE
    assert list(case.reports.values_list("review", flat=True)) == ["returned", "approved"]


def test_no_decision_before_the_review(world: Any, loaded: None) -> None:
    case = new_case(world)
    with refused_with(procedure.CASE_ORDER):
        procedure.case_decide(user=world.regulator_in, case=case, decision="no_penalty")
    case = reported(world, case, today=D(2026, 5, 21))
    with refused_with(procedure.CASE_ORDER):
        procedure.case_decide(user=world.regulator_in, case=case, decision="no_penalty")
    assert Case.objects.get(pk=case.pk).decided_on is None


# --- notice, hearing, decision ---------------------------------------------------------------------


def test_the_notice_window_of_5_working_days(world: Any, loaded: None) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1))
    notice = PenaltyNotice.objects.get(case=case)
    assert notice.response_due == D(2026, 6, 8)  # Monday 1 June + 5 working days
    assert case.step_due == D(2026, 6, 8)
    with refused_with(procedure.NOTICE_WINDOW_OPEN):
        procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                              today=D(2026, 6, 8))  # fmt: skip
    with refused_with(procedure.NOTICE_WINDOW_CLOSED):
        procedure.notice_respond(user=world.regulator_in, case=case, response="hearing", on=D(2026, 6, 9),
                                 today=D(2026, 6, 9))  # fmt: skip
    procedure.notice_respond(user=world.regulator_in, case=case, response="statement", on=D(2026, 6, 8),
                             note="主张信息已公开", today=D(2026, 6, 9))  # fmt: skip
    # No heavier penalty for having defended (art. 58).
    with refused_with(procedure.FINE_HEAVIER):
        procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300001),
                              today=D(2026, 6, 9))  # fmt: skip
    case = procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(250000),
                                 number="渝北市监处罚〔2026〕1号", today=D(2026, 6, 9))  # fmt: skip
    assert case.stage == Case.Stage.DECIDED and case.fine == Decimal(250000)
    assert case.step_due == D(2026, 6, 18)  # service within 7 working days


def test_a_written_waiver_closes_the_window(world: Any, loaded: None) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1))
    with refused_with(procedure.DATE_FUTURE):
        procedure.notice_respond(user=world.regulator_in, case=case, response="waived", on=D(2026, 6, 3),
                                 today=D(2026, 6, 2))  # fmt: skip
    procedure.notice_respond(user=world.regulator_in, case=case, response="waived", on=D(2026, 6, 2),
                             today=D(2026, 6, 2))  # fmt: skip
    with refused_with(procedure.NOTICE_ANSWERED):
        procedure.notice_respond(user=world.regulator_in, case=case, response="hearing", on=D(2026, 6, 2),
                                 today=D(2026, 6, 2))  # fmt: skip
    case = procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                                 today=D(2026, 6, 2))  # fmt: skip
    assert case.status == Case.Status.DECIDED


@pytest.mark.parametrize(
    ("fine", "accepted"),
    [(Decimal(99999), False), (Decimal(100000), True), (Decimal(1000000), True), (Decimal(1000001), False)],
)
def test_the_fine_bounds_of_art_26_not_serious(world: Any, loaded: None, fine: Decimal, accepted: bool) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1), fine=Decimal(1000000))
    decide = {"user": world.regulator_in, "case": case, "decision": "penalty", "fine": fine, "today": D(2026, 6, 9)}
    if accepted:
        assert procedure.case_decide(**decide).fine == fine
    else:
        before = snapshot(case)
        with refused_with(procedure.CASE_FINE):
            procedure.case_decide(**decide)
        assert snapshot(case) == before


def test_the_fine_bounds_follow_the_law_on_the_date_of_the_act(world: Any, loaded: None) -> None:
    after = new_case(world, act_date=D(2025, 10, 15))  # the 2025 law: serious 1,000,000 to 5,000,000
    before = new_case(world, act_date=D(2025, 10, 14), n=1)  # the 2019 law: serious 500,000 to 5,000,000
    for fine, ok in ((999999, False), (1000000, True), (5000000, True), (5000001, False)):
        if ok:
            assert procedure.fine_check(after, Decimal(fine), serious=True) == fine
        else:
            with refused_with(procedure.CASE_FINE):
                procedure.fine_check(after, Decimal(fine), serious=True)
    with refused_with(procedure.CASE_FINE):
        procedure.fine_check(before, Decimal(499999), serious=True)
    assert procedure.fine_check(before, Decimal(500000), serious=True) == 500000


def test_the_hearing(world: Any, loaded: None) -> None:
    case = noticed(world, new_case(world, opened_on=D(2026, 5, 1)), today=D(2026, 6, 1))
    due_before = case.decision_due
    procedure.notice_respond(user=world.regulator_in, case=case, response="hearing", on=D(2026, 6, 3),
                             today=D(2026, 6, 3))  # fmt: skip
    case.refresh_from_db()
    assert case.stage == Case.Stage.HEARING and case.status == Case.Status.SUSPENDED

    def schedule(chair: Any, on: datetime.date) -> Any:
        return procedure.hearing_schedule(user=world.regulator_in, case=case, chair=chair, on=on, place="第一听证室",
                                          today=D(2026, 6, 3))  # fmt: skip

    with refused_with(procedure.HEARING_CHAIR):
        schedule(world.officer_in, D(2026, 6, 12))
    with refused_with(procedure.HEARING_CHAIR_BUREAU):
        schedule(world.regulator_out, D(2026, 6, 12))
    with refused_with(procedure.HEARING_DATE):
        schedule(world.city_regulator, D(2026, 6, 2))  # in the past
    with refused_with(procedure.HEARING_DATE):
        schedule(world.city_regulator, D(2026, 6, 9))  # 6 days' notice
    hearing = schedule(world.city_regulator, D(2026, 6, 10))  # 7 days' notice
    assert not hearing.public
    with refused_with(procedure.CASE_ORDER):  # a decision waits for the hearing
        procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                              today=D(2026, 6, 10))  # fmt: skip
    with refused_with(procedure.HEARING_TRANSCRIPT):
        procedure.hearing_held(user=world.regulator_in, case=case, held_on=D(2026, 6, 10), report="听证意见",
                               signed=False, today=D(2026, 6, 10))  # fmt: skip
    with refused_with(procedure.DATE_BEFORE):
        procedure.hearing_held(user=world.regulator_in, case=case, held_on=D(2026, 6, 9), report="听证意见",
                               signed=True, today=D(2026, 6, 10))  # fmt: skip
    procedure.hearing_held(user=world.regulator_in, case=case, held_on=D(2026, 6, 10), report="建议维持",
                           signed=True, today=D(2026, 6, 10))  # fmt: skip
    case.refresh_from_db()
    assert case.stage == Case.Stage.NOTICE and case.status == Case.Status.INVESTIGATING
    assert case.decision_due == due_before + datetime.timedelta(days=7)  # 3 to 10 June not counted
    procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                          today=D(2026, 6, 11))  # fmt: skip


# --- service, payment, closing ---------------------------------------------------------------------


def test_service_payment_and_closing(world: Any, loaded: None) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1), fine=Decimal(200000))
    case = procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(200000),
                                 today=D(2026, 6, 9))  # fmt: skip

    def serve(today: datetime.date, **kw: Any) -> Any:
        data = {"mode": "direct", "recipient": "法定代表人王五", "delivered_on": today, "proof": proof(), **kw}
        return procedure.case_serve(user=world.regulator_in, case=case, service=ServiceInput(**data), today=today)

    before = snapshot(case)
    with refused_with(procedure.SERVICE_ADDRESS):
        serve(D(2026, 6, 10), mode="electronic")
    with refused_with(procedure.SERVICE_PROOF):
        serve(D(2026, 6, 10), proof=None)
    with refused_with(procedure.DATE_FUTURE):
        serve(D(2026, 6, 10), delivered_on=D(2026, 6, 11))
    with refused_with(procedure.DATE_BEFORE):
        serve(D(2026, 6, 10), delivered_on=D(2026, 6, 8))
    with refused_with(procedure.CASE_ORDER):
        procedure.case_close(user=world.regulator_in, case=case, opinion="同意结案", today=D(2026, 6, 10))
    assert snapshot(case) == before
    record = serve(D(2026, 6, 10), mode="electronic", address_confirmed=True)
    assert record.served_on == D(2026, 6, 10) and record.sha256
    case.refresh_from_db()
    assert case.stage == Case.Stage.SERVED and case.step_due == D(2026, 6, 25)  # 15 days to pay
    with refused_with(procedure.PAYMENT_AMOUNT):
        procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(200001), paid_on=D(2026, 6, 12),
                           receipt="0001", today=D(2026, 6, 12))  # fmt: skip
    procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(150000), paid_on=D(2026, 6, 12),
                       receipt="0001", today=D(2026, 6, 12))  # fmt: skip
    with refused_with(procedure.CLOSE_UNPAID):
        procedure.case_close(user=world.regulator_in, case=case, opinion="同意结案", today=D(2026, 6, 12))
    procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(50000), paid_on=D(2026, 6, 15),
                       receipt="0002", today=D(2026, 6, 15))  # fmt: skip
    case.refresh_from_db()
    assert case.step_due == D(2026, 7, 7)  # closing within 15 working days of payment (19 June a holiday)
    case = procedure.case_close(
        user=world.regulator_in, case=case, opinion="罚款已缴清，同意结案", today=D(2026, 6, 16)
    )
    assert case.stage == Case.Stage.CLOSED and case.closed_on == D(2026, 6, 16) and case.step_due is None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-5:] == ["decided", "served", "paid", "paid", "closed"]
    assert all(e.actor_id for e in case.events.all())


def test_a_public_announcement_is_served_30_days_later(world: Any, loaded: None) -> None:
    case = reviewed(world, new_case(world), today=D(2026, 6, 1))
    procedure.case_decide(user=world.regulator_in, case=case, decision="not_established", today=D(2026, 6, 2))
    record = procedure.case_serve(
        user=world.regulator_in, case=case, today=D(2026, 6, 3),
        service=ServiceInput(mode="announcement", recipient="下落不明的当事人", delivered_on=D(2026, 6, 3),
                             proof=proof("公告.pdf")),
    )  # fmt: skip
    assert record.served_on == D(2026, 7, 3)
    with refused_with(procedure.CASE_ORDER):  # nothing to pay when no fine
        procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(1), paid_on=D(2026, 6, 3), receipt="x")
    case = procedure.case_close(user=world.regulator_in, case=case, opinion="同意结案")
    assert case.stage == Case.Stage.CLOSED


# --- pages and scope -------------------------------------------------------------------------------


def test_the_case_page_walks_the_procedure(world: Any, loaded: None, client: Any) -> None:
    case = new_case(world)
    client.force_login(world.officer_in)  # an investigator records evidence from the page
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="evidence-form"' in page and 'data-testid="review-form"' not in page
    url = reverse("enforcement:case_evidence", args=[case.pk])
    client.post(url, {"kind": "electronic", "title": "邮件", "source": "当事人邮箱", "obtained_on": "2026-05-21"})
    assert not case.evidence.exists()  # electronic data without its fixing: refused, a message shown
    response = client.post(url, {"kind": "electronic", "title": "邮件", "source": "当事人邮箱",
                                 "obtained_on": "2026-05-21", "fixing": "original"}, follow=True)  # fmt: skip
    assert case.evidence.count() == 1 and "邮件" in response.content.decode()
    # The officer does not decide, review or serve: those pages answer 404.
    for name in ("case_review", "case_notice", "case_serve", "case_close", "case_measure"):
        assert client.post(reverse(f"enforcement:{name}", args=[case.pk]), {"opinion": "x"}).status_code == 404
    case = reported(world, case, today=D(2026, 5, 21))
    client.force_login(world.regulator_in)
    client.post(reverse("enforcement:case_review", args=[case.pk]), {"outcome": "approve", "opinion": "同意"})
    case.refresh_from_db()
    assert case.stage == Case.Stage.REVIEW  # the investigator may not review: refused
    client.force_login(world.city_regulator)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="review-form"' in page and 'data-testid="review-due"' in page
    client.post(reverse("enforcement:case_review", args=[case.pk]), {"outcome": "approve", "opinion": "同意"})
    case.refresh_from_db()
    assert case.stage == Case.Stage.NOTICE
    today = program_today()
    client.post(
        reverse("enforcement:case_notice", args=[case.pk]),
        {"content": "拟罚款", "fine": "300000", "mode": "direct", "recipient": "法定代表人",
         "delivered_on": today.isoformat(), "proof": proof()},
    )  # fmt: skip
    notice = PenaltyNotice.objects.get(case=case)
    record = case.services.get()
    assert client.get(reverse("enforcement:case_proof", args=[record.pk])).status_code == 200
    client.force_login(world.regulator_out)
    assert client.get(reverse("enforcement:case_proof", args=[record.pk])).status_code == 404
    assert notice.fine == Decimal(300000)


def test_strangers_get_404_on_every_step(world: Any, loaded: None, client: Any) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1))
    before = snapshot(case)
    names = ("evidence", "checklist", "measure", "measure_decide", "appraisal", "report", "review", "notice",
             "respond", "hearing", "decide", "serve", "pay", "close")  # fmt: skip
    for stranger in (
        world.regulator_out,
        world.officer_out,
        world.judicial,
        world.ent_admin_in,
        world.park_operator_in,
    ):
        client.force_login(stranger)
        assert client.get(case.get_absolute_url()).status_code == 404
        for name in names:
            data = {"opinion": "x", "response": "waived", "on": "2026-06-02", "decision": "no_penalty"}
            response = client.post(reverse(f"enforcement:case_{name}", args=[case.pk]), data)
            assert response.status_code == 404, (stranger.username, name)
    assert snapshot(case) == before
    assert InvestigationReport.objects.filter(case=case).count() == 1
    assert Measure.objects.filter(case=case).count() == 0


def test_the_case_page_at_every_stage(world: Any, loaded: None, client: Any) -> None:
    case = noticed(world, new_case(world), today=D(2026, 6, 1))
    seen = {}

    def look(marker: str) -> None:
        case.refresh_from_db()
        for user in (world.regulator_in, world.officer_in, world.city_regulator):
            client.force_login(user)
            response = client.get(case.get_absolute_url())
            assert response.status_code == 200
            seen[(case.stage, user.username)] = response.content.decode()
        assert marker in seen[(case.stage, "jiangbei_regulator")], (case.stage, marker)

    look('data-testid="respond-form"')
    procedure.notice_respond(user=world.regulator_in, case=case, response="hearing", on=D(2026, 6, 2),
                             today=D(2026, 6, 2))  # fmt: skip
    look('data-testid="hearing-form"')
    assert world.city_regulator.display_name in seen[("hearing", "jiangbei_regulator")]  # a chair to choose
    procedure.hearing_schedule(user=world.regulator_in, case=case, chair=world.city_regulator, on=D(2026, 6, 10),
                               place="第一听证室", today=D(2026, 6, 2))  # fmt: skip
    procedure.hearing_held(user=world.regulator_in, case=case, held_on=D(2026, 6, 10), report="维持", signed=True,
                           today=D(2026, 6, 10))  # fmt: skip
    look('data-testid="decide"')
    procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                          today=D(2026, 6, 11))  # fmt: skip
    look('data-testid="serve-form"')
    procedure.case_serve(user=world.regulator_in, case=case, today=D(2026, 6, 11),
                         service=ServiceInput(mode="direct", recipient="法定代表人", delivered_on=D(2026, 6, 11),
                                              proof=proof()))  # fmt: skip
    look('data-testid="pay-form"')
    procedure.case_pay(user=world.regulator_in, case=case, amount=Decimal(300000), paid_on=D(2026, 6, 12),
                       receipt="0001", today=D(2026, 6, 12))  # fmt: skip
    look('data-testid="close-form"')
    procedure.case_close(user=world.regulator_in, case=case, opinion="同意结案")
    look("300000")
    assert 'data-testid="close-form"' not in seen[("closed", "jiangbei_regulator")]
    assert 'data-testid="pay-form"' not in seen[("served", "officer_in")]  # the officer reads, the bureau acts


def test_the_case_list_filters_by_stage(world: Any, loaded: None, client: Any) -> None:
    at_review = reported(world, new_case(world), today=D(2026, 5, 21))
    investigating = new_case(world, n=1)
    client.force_login(world.regulator_in)
    page = client.get(reverse("enforcement:case_list"), {"stage": "review"}).content.decode()
    assert f'data-case="{at_review.pk}"' in page and f'data-case="{investigating.pk}"' not in page
    assert client.get(reverse("enforcement:case_list"), {"stage": "nonsense"}).status_code == 400


def test_a_window_into_a_year_without_calendar_is_not_guessed(world: Any, loaded: None) -> None:
    case = noticed(world, new_case(world), today=D(2026, 12, 28))  # 5 working days reach 2027
    notice = PenaltyNotice.objects.get(case=case)
    assert notice.response_due is None and notice.response_missing_year == 2027
    with refused_with(procedure.NOTICE_WINDOW_UNCOUNTED):
        procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                              today=D(2027, 1, 20))  # fmt: skip
    procedure.notice_respond(user=world.regulator_in, case=case, response="waived", on=D(2027, 1, 4),
                             today=D(2027, 1, 20))  # fmt: skip
    case = procedure.case_decide(user=world.regulator_in, case=case, decision="penalty", fine=Decimal(300000),
                                 today=D(2027, 1, 20))  # fmt: skip
    assert case.status == Case.Status.DECIDED and case.step_due is None and case.step_missing_year == 2027
