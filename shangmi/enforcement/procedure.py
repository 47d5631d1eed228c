"""Writes of a case's procedure after opening (市场监督管理行政处罚程序规定 arts. 22-78): evidence
and the trade-secret checklist, preservation and seizure, appraisal, the investigation report
and its legal review, the notice of the intended penalty and the party's response, the hearing,
the decision, service, payment and closing.

Each step checks the case's stage (a step out of order is refused), writes its row and an
append-only CaseEvent, and sets the deadline of the step the case now waits for
(``Case.step_due``), which the case page shows and ``enforcement_reminders`` reminds. Every
limit comes from the rules data (``rules.period``), every fine bound from the law in force on
the date of the act (``rules.fine_range``). Services take ``today`` so tests can stand on a
deadline's edge; pages leave it to the program calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.calendar import program_date, program_local, program_now, program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW, restricted
from shangmi.enforcement import rules
from shangmi.enforcement.models import (
    Appraisal,
    Case,
    CaseEvent,
    ChecklistEntry,
    EvidenceAttachment,
    EvidenceItem,
    Hearing,
    InvestigationReport,
    Measure,
    Payment,
    PenaltyNotice,
    ServiceRecord,
)
from shangmi.enforcement.services import (
    CASE_DECIDED,
    CLUE_REASON,
    checked_uploads,
    investigator_choices,
    set_decision_due,
)
from shangmi.enforcement.workdays import Due, deadline, deadline_in_days
from shangmi.notices.services import notify

CASE_NOT_YOURS = Message("case.not_yours", _("Only the case's investigators or its bureau take this step."))
CASE_BUREAU_ONLY = Message("case.bureau_only", _("Only the case's bureau takes this step."))
CASE_ORDER = Message("case.order", _("Not possible now: the case is at the stage “%(stage)s”."))
CASE_STOPPED = Message("case.stopped", _("The case's clock is stopped: resume it before deciding."))
CASE_DECISION = Message("case.decision", _("Choose a decision."))
CASE_FINE = Message("case.fine", _("The fine must be between %(low)s and %(high)s yuan (%(source)s)."))
DATE_MISSING = Message("case.date_missing", _("Give the date (YYYY-MM-DD)."))
DATE_FUTURE = Message("case.date_future", _("%(day)s is in the future: record what has happened."))
DATE_BEFORE = Message("case.date_before", _("%(day)s is before %(earliest)s, when the step it follows was taken."))
EVIDENCE_EMPTY = Message("evidence.empty", _("Give the evidence's kind, title and source."))
EVIDENCE_FIXING = Message(
    "evidence.fixing",
    _("Electronic data says how it was fixed; a copy names its method, time and maker (art. 26)."),
)
EVIDENCE_FILE_MISSING = Message("evidence.file_missing", _("Choose the file to add to the evidence."))
EVIDENCE_ITEM = Message("evidence.item", _("Choose an item of this case's evidence."))
CHECKLIST_EMPTY = Message("checklist.empty", _("Choose the item and write the finding."))
CHECKLIST_EVIDENCE = Message("checklist.evidence", _("Link only evidence of this case."))
CHECKLIST_MISSING = Message("checklist.missing", _("The trade-secret checklist lacks: %(missing)s."))
MEASURE_EMPTY = Message("measure.empty", _("List the items and the head's approval."))
MEASURE_OUTCOME = Message("measure.outcome", _("Choose an outcome this measure allows."))
MEASURE_ENDED = Message("measure.ended", _("This measure is already decided."))
MEASURE_LAPSED = Message(
    "measure.lapsed",
    _("The time to decide ran out on %(day)s: the preservation lapsed by law; record its release."),
)
MEASURE_TAKEN_AT = Message(
    "measure.taken_at", _("Give the day and hour the measure was taken on site (not in the future).")
)
MEASURE_REPORTED = Message("measure.reported", _("Only a measure taken on site is reported, once."))
MEASURE_EXTEND = Message("measure.extend", _("Only a running seizure is extended, once, before it ends."))
MEASURE_OPEN = Message("measure.open", _("Decide every registration and preservation before the report."))
APPRAISAL_EMPTY = Message("appraisal.empty", _("Name the institution and the matters to appraise."))
APPRAISAL_OPEN = Message("appraisal.open", _("An appraisal is still running: record its conclusion first."))
APPRAISAL_DONE = Message("appraisal.done", _("This appraisal is already concluded."))
REPORT_AUTHOR = Message("report.author", _("The investigation report is submitted by one of the case's investigators."))
REPORT_EMPTY = Message("report.empty", _("Write the facts found, the legal grounds and the proposed handling."))
REPORT_NO_EVIDENCE = Message("report.no_evidence", _("Record the evidence before the report."))
REVIEWER_INVESTIGATED = Message(
    "review.investigated", _("%(name)s investigated this case: the legal review is done by someone else.")
)
NOTICE_EXISTS = Message("notice.exists", _("The notice of the intended penalty was already served."))
NOTICE_MISSING = Message("notice.missing", _("A penalty needs the notice of the intended penalty served first."))
NOTICE_WINDOW_OPEN = Message(
    "notice.window_open",
    _("The party may state its case or ask for a hearing until %(day)s: decide after that day."),
)
NOTICE_WINDOW_UNCOUNTED = Message(
    "notice.window_uncounted",
    _("The party's window is not counted: load the calendar of %(year)s, or record the party's written waiver."),
)
NOTICE_WINDOW_CLOSED = Message(
    "notice.window_closed", _("The time to respond ended on %(day)s: the party is taken to have waived it.")
)
NOTICE_ANSWERED = Message("notice.answered", _("The party has already waived its rights or asked for a hearing."))
NOTICE_RESPONSE = Message("notice.response", _("Choose the party's response."))
FINE_HEAVIER = Message(
    "case.fine_heavier",
    _("The decision may not be heavier than the notice (%(fine)s yuan) for the party having defended itself."),
)
HEARING_CHAIR = Message("hearing.chair", _("%(name)s investigated this case: the hearing is chaired by someone else."))
HEARING_CHAIR_BUREAU = Message("hearing.chair_bureau", _("Choose a chair of the case's bureau."))
HEARING_DATE = Message(
    "hearing.date", _("The party is told at least %(days)s days ahead: the hearing is on %(earliest)s or later.")
)
HEARING_NOT_SET = Message("hearing.not_set", _("Schedule the hearing first."))
HEARING_TRANSCRIPT = Message(
    "hearing.transcript", _("Write the hearing report; the transcript is signed by the party.")
)
SERVICE_EMPTY = Message("service.empty", _("Choose how it was served and name the recipient."))
SERVICE_ADDRESS = Message(
    "service.address", _("Electronic service needs the party's signed confirmation of the service address.")
)
SERVICE_PROOF = Message("service.proof", _("Attach the proof of service."))
PAYMENT_AMOUNT = Message("payment.amount", _("The amount must be more than 0 and at most the %(left)s yuan unpaid."))
PAYMENT_RECEIPT = Message("payment.receipt", _("Give the receipt number."))
COURT_ENFORCEMENT = _("Application to the court for enforcement")
CLOSE_UNPAID = Message(
    "case.unpaid", _("The fine is not paid in full: record the payments or the application to the court.")
)


def _day(day: datetime.date | None, today: datetime.date, *, earliest: datetime.date | None = None) -> datetime.date:
    """A date the user gives for something that happened: not in the future, not before the
    step it follows."""
    if day is None:
        raise AppError(DATE_MISSING, field="date")
    if day > today:
        raise AppError(DATE_FUTURE, field="date", day=day.isoformat())
    if earliest is not None and day < earliest:
        raise AppError(DATE_BEFORE, field="date", day=day.isoformat(), earliest=earliest.isoformat())
    return day


def _case(user: User, case: Case, *, investigator: bool = False) -> Case:
    """The case again, locked. An investigation step is taken by one of the case's
    investigators or by its bureau; any other step by its bureau (a regulator in scope)."""
    bureau = restricted(Case, user, CHANGE).filter(pk=case.pk).exists()
    if not bureau:
        if not investigator:
            raise AppError(CASE_BUREAU_ONLY)
        if not restricted(Case, user, VIEW).filter(pk=case.pk, officers=user).exists():
            raise AppError(CASE_NOT_YOURS)
    # Locked by primary key: restrict() may add DISTINCT, which FOR UPDATE refuses.
    return Case.objects.select_for_update().get(pk=case.pk)


def _at(case: Case, *stages: str) -> None:
    if case.stage not in stages:
        raise AppError(CASE_ORDER, stage=case.get_stage_display())


def _event(case: Case, user: User, kind: str, note: str = "") -> None:
    CaseEvent.objects.create(case=case, kind=kind, actor=user, note=note)


def _step(case: Case, due: Due | None) -> None:
    case.step_due, case.step_missing_year = (due.on, due.missing_year) if due else (None, None)


def _stop_clock(case: Case, today: datetime.date) -> bool:
    """Appraisal and hearing time does not count (art. 64); False when it already stood."""
    if case.suspended_since is not None:
        return False
    case.suspended_since, case.status = today, Case.Status.SUSPENDED
    return True


def _run_clock(case: Case, today: datetime.date) -> None:
    if case.suspended_since is None:
        return
    case.stopped_days += max((today - case.suspended_since).days, 0)
    case.suspended_since, case.status = None, Case.Status.INVESTIGATING
    set_decision_due(case)


def fine_check(case: Case, fine: Decimal | None, *, serious: bool) -> Decimal:
    """The fine the Anti-Unfair Competition Law in force on the date of the act allows."""
    allowed = rules.fine_range(case.act_date, serious=serious)
    if fine is None or not allowed.low <= fine <= allowed.high:
        raise AppError(CASE_FINE, field="fine", low=allowed.low, high=allowed.high, source=allowed.source)
    return fine


# --- investigation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    kind: str
    title: str
    source: str
    obtained_on: datetime.date | None
    fixing: str = ""
    fixing_detail: str = ""
    # Scans, photographs, recordings: checked (type by their bytes, size) before anything is written.
    files: Sequence[UploadedFile] = ()


def _store_evidence_files(user: User, item: EvidenceItem, checked: list[tuple[UploadedFile, str, str]]) -> list[str]:
    names = []
    for upload, content_type, sha256 in checked:
        stored = uploads.store_upload(EvidenceAttachment(item=item, uploaded_by=user), upload, content_type, sha256)
        names.append(stored.original_name)
    return names


def evidence_add(*, user: User, case: Case, data: EvidenceInput, today: datetime.date | None = None) -> EvidenceItem:
    today = today or program_today()
    if data.kind not in EvidenceItem.Kind.values or not data.title.strip() or not data.source.strip():
        raise AppError(EVIDENCE_EMPTY, field="title")
    checked = checked_uploads(list(data.files))
    obtained = _day(data.obtained_on, today)
    fixing, detail = data.fixing, data.fixing_detail.strip()
    if data.kind == EvidenceItem.Kind.ELECTRONIC:
        if fixing not in EvidenceItem.Fixing.values or (fixing != EvidenceItem.Fixing.ORIGINAL and not detail):
            raise AppError(EVIDENCE_FIXING, field="fixing")
    else:
        fixing, detail = "", ""
    with transaction.atomic():
        case = _case(user, case, investigator=True)
        _at(case, Case.Stage.INVESTIGATION)
        number = (case.evidence.aggregate(top=Max("number"))["top"] or 0) + 1
        item = EvidenceItem.objects.create(
            case=case, number=number, kind=data.kind, title=data.title.strip()[:200], source=data.source.strip()[:300],
            obtained_on=obtained, fixing=fixing, fixing_detail=detail[:500], recorded_by=user,
        )  # fmt: skip
        names = _store_evidence_files(user, item, checked)
        note = f"{number}. {item.get_kind_display()} {item.title}"
        _event(case, user, CaseEvent.Kind.EVIDENCE, f"{note} ({'、'.join(names)})" if names else note)
    return item


def evidence_attach(
    *, user: User, case: Case, item: EvidenceItem | None, files: Sequence[UploadedFile]
) -> list[EvidenceAttachment]:
    """Files added to an item already recorded (the scan that came later), while the case is
    investigated; the item itself is never rewritten, the event log says who added what."""
    if not files:
        raise AppError(EVIDENCE_FILE_MISSING, field="files")
    checked = checked_uploads(list(files))
    with transaction.atomic():
        case = _case(user, case, investigator=True)
        _at(case, Case.Stage.INVESTIGATION)
        if item is None or item.case_id != case.pk:
            raise AppError(EVIDENCE_ITEM, field="item")
        names = _store_evidence_files(user, item, checked)
        _event(case, user, CaseEvent.Kind.EVIDENCE_FILE, f"{item.number}. {item.title}: {'、'.join(names)}")
        return list(item.files.order_by("-pk")[: len(names)])[::-1]


def checklist_record(
    *, user: User, case: Case, group: str, finding: str, evidence: Sequence[int] = ()
) -> ChecklistEntry:
    if group not in ChecklistEntry.Group.values or not finding.strip():
        raise AppError(CHECKLIST_EMPTY, field="finding")
    with transaction.atomic():
        case = _case(user, case, investigator=True)
        _at(case, Case.Stage.INVESTIGATION)
        linked = list(case.evidence.filter(pk__in=set(evidence)))
        if len(linked) != len(set(evidence)):
            raise AppError(CHECKLIST_EVIDENCE, field="evidence")
        entry = ChecklistEntry.objects.create(case=case, group=group, finding=finding.strip(), recorded_by=user)
        entry.evidence.set(linked)
        _event(case, user, CaseEvent.Kind.CHECKLIST, entry.get_group_display())
    return entry


def checklist_missing(case: Case) -> list[str]:
    """The checklist's groups with no finding yet, in their order."""
    have = set(case.checklist.values_list("group", flat=True))
    return [str(label) for value, label in ChecklistEntry.Group.choices if value not in have]


def _measure_due(kind: str, start: datetime.date) -> Due:
    if kind == Measure.Kind.PRESERVATION:
        return deadline(start, rules.period("case.preservation_decision", start))
    return deadline_in_days(start, rules.period("case.seizure", start))


def measure_start(
    *, user: User, case: Case, kind: str, items: str, approval: str, started_on: datetime.date | None,
    today: datetime.date | None = None, on_site: bool = False, taken_at: datetime.datetime | None = None,
) -> Measure:  # fmt: skip
    """先行登记保存 or 查封扣押 with the head's approval: its deadline is counted from its start.
    A preservation taken on site in an emergency (art. 33) has no approval yet: it is reported
    to the head within case.onsite_report hours of being taken, and the heads are told now."""
    today = today or program_today()
    on_site = on_site and kind == Measure.Kind.PRESERVATION
    if kind not in Measure.Kind.values or not items.strip() or not (approval.strip() or on_site):
        raise AppError(MEASURE_EMPTY, field="items")
    if on_site and (taken_at is None or program_date(taken_at) > today):
        raise AppError(MEASURE_TAKEN_AT, field="taken_at")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.INVESTIGATION)
        start = program_date(taken_at) if on_site and taken_at else started_on
        start = _day(start, today, earliest=case.clue.received_on)
        due = _measure_due(kind, start)
        report_due = None
        if on_site and taken_at is not None:
            report_due = taken_at + datetime.timedelta(hours=rules.period("case.onsite_report", start))
        measure = Measure.objects.create(
            case=case, kind=kind, items=items.strip(), approval=approval.strip()[:300], started_on=start,
            due_on=due.on, missing_year=due.missing_year, recorded_by=user, on_site=on_site, taken_at=taken_at,
            report_due=report_due,
        )  # fmt: skip
        _event(case, user, CaseEvent.Kind.MEASURE, f"{measure.get_kind_display()}: {measure.items[:100]}")
        if report_due is not None:
            title = _("On-site preservation in %(party)s's case: report it to the head by %(at)s") % {
                "party": case.party,
                "at": program_local(report_due).strftime("%Y-%m-%d %H:%M"),
            }
            transaction.on_commit(
                lambda: notify([*case_heads(case), *case.officers.all()], str(title), url=case.get_absolute_url())
            )
    return measure


def case_heads(case: Case) -> list[User]:
    """The regulators of the case's district: the bureau's heads who approve its measures."""
    return list(User.objects.filter(is_active=True, role=Role.REGULATOR, region_id=case.region_id))


def measure_report(
    *, user: User, case: Case, measure: Measure, approval: str, now: datetime.datetime | None = None
) -> Measure:
    """The on-site preservation reported to the head, with the approval given afterwards; a
    report after the deadline is recorded as late (the law asks for it all the same)."""
    now = now or program_now()
    if not approval.strip():
        raise AppError(MEASURE_EMPTY, field="approval")
    with transaction.atomic():
        case = _case(user, case)
        measure = Measure.objects.select_for_update().get(pk=measure.pk, case=case)
        if not measure.on_site or measure.reported_at is not None:
            raise AppError(MEASURE_REPORTED)
        measure.reported_at, measure.approval = now, approval.strip()[:300]
        measure.save(update_fields=["reported_at", "approval"])
        late = _(" (late)") if measure.report_late(now) else ""
        _event(case, user, CaseEvent.Kind.MEASURE_REPORTED, f"{measure.approval}{late}")
    return measure


SEIZURE_OUTCOMES = (Measure.Outcome.RELEASED, Measure.Outcome.CONFISCATED, Measure.Outcome.APPRAISAL)


def measure_decide(
    *, user: User, case: Case, measure: Measure, outcome: str, note: str = "", today: datetime.date | None = None
) -> Measure:
    """The decision on a measure; a preservation not decided in time lapsed (art. 35): only its
    release is recorded after its deadline."""
    today = today or program_today()
    allowed = Measure.Outcome.values if measure.kind == Measure.Kind.PRESERVATION else SEIZURE_OUTCOMES
    if outcome not in allowed:
        raise AppError(MEASURE_OUTCOME, field="outcome")
    with transaction.atomic():
        case = _case(user, case)
        measure = Measure.objects.select_for_update().get(pk=measure.pk, case=case)
        if measure.ended_on is not None:
            raise AppError(MEASURE_ENDED)
        if measure.lapsed_on(today) and outcome != Measure.Outcome.RELEASED:
            assert measure.due_on is not None
            raise AppError(MEASURE_LAPSED, field="outcome", day=measure.due_on.isoformat())
        measure.ended_on, measure.outcome, measure.note = today, outcome, note.strip()
        measure.save(update_fields=["ended_on", "outcome", "note"])
        note = f"{measure.get_kind_display()}: {measure.get_outcome_display()}"
        _event(case, user, CaseEvent.Kind.MEASURE_ENDED, note)
    return measure


def measure_extend(
    *, user: User, case: Case, measure: Measure, reason: str, today: datetime.date | None = None
) -> Measure:
    """A complex case: the seizure runs case.seizure_extension days more, once, with approval."""
    today = today or program_today()
    if not reason.strip():
        raise AppError(CLUE_REASON, field="reason")
    with transaction.atomic():
        case = _case(user, case)
        measure = Measure.objects.select_for_update().get(pk=measure.pk, case=case)
        if (
            measure.kind != Measure.Kind.SEIZURE
            or measure.extended
            or measure.ended_on is not None
            or measure.due_on is None
            or today > measure.due_on
        ):
            raise AppError(MEASURE_EXTEND)
        due = deadline_in_days(measure.due_on, rules.period("case.seizure_extension", measure.started_on))
        measure.due_on, measure.missing_year, measure.extended = due.on, due.missing_year, True
        measure.save(update_fields=["due_on", "missing_year", "extended"])
        _event(case, user, CaseEvent.Kind.MEASURE_EXTENDED, reason.strip())
    return measure


def appraisal_start(
    *, user: User, case: Case, institution: str, matters: str, today: datetime.date | None = None
) -> Appraisal:
    """鉴定 commissioned: the case's clock stands until its conclusion (art. 64)."""
    today = today or program_today()
    if not institution.strip() or not matters.strip():
        raise AppError(APPRAISAL_EMPTY, field="institution")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.INVESTIGATION)
        if case.status == Case.Status.DECIDED:
            raise AppError(CASE_DECIDED)
        stopped = _stop_clock(case, today)
        case.save(update_fields=["suspended_since", "status"])
        appraisal = Appraisal.objects.create(
            case=case, institution=institution.strip()[:200], matters=matters.strip(), started_on=today,
            stopped_clock=stopped, recorded_by=user,
        )  # fmt: skip
        _event(case, user, CaseEvent.Kind.APPRAISAL, appraisal.institution)
    return appraisal


def appraisal_finish(
    *, user: User, case: Case, appraisal: Appraisal, conclusion: str, today: datetime.date | None = None
) -> Appraisal:
    """The conclusion: the clock runs again and the opinion joins the evidence."""
    today = today or program_today()
    if not conclusion.strip():
        raise AppError(APPRAISAL_EMPTY, field="conclusion")
    with transaction.atomic():
        case = _case(user, case)
        appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk, case=case)
        if appraisal.finished_on is not None:
            raise AppError(APPRAISAL_DONE)
        appraisal.finished_on, appraisal.conclusion = today, conclusion.strip()
        appraisal.save(update_fields=["finished_on", "conclusion"])
        if appraisal.stopped_clock:
            _run_clock(case, today)
            case.save(update_fields=["stopped_days", "suspended_since", "status", "decision_due", "due_missing_year"])
        number = (case.evidence.aggregate(top=Max("number"))["top"] or 0) + 1
        EvidenceItem.objects.create(
            case=case, number=number, kind=EvidenceItem.Kind.APPRAISAL, title=appraisal.matters[:200],
            source=appraisal.institution, obtained_on=today, recorded_by=user,
        )  # fmt: skip
        _event(case, user, CaseEvent.Kind.APPRAISAL_DONE, appraisal.conclusion[:200])
    return appraisal


# --- report and review -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    facts: str
    grounds: str
    proposal: str
    proposed_fine: Decimal | None = None
    serious: bool = False


def report_submit(
    *, user: User, case: Case, data: ReportInput, today: datetime.date | None = None
) -> InvestigationReport:
    """调查终结报告 by an investigator, with the evidence and the full checklist; the legal
    review is due case.legal_review working days later."""
    today = today or program_today()
    if not data.facts.strip() or not data.grounds.strip() or data.proposal not in Case.Decision.values:
        raise AppError(REPORT_EMPTY, field="facts")
    with transaction.atomic():
        case = _case(user, case, investigator=True)
        if not case.officers.filter(pk=user.pk).exists():
            raise AppError(REPORT_AUTHOR)
        _at(case, Case.Stage.INVESTIGATION)
        if case.status == Case.Status.DECIDED:
            raise AppError(CASE_DECIDED)
        if case.appraisals.filter(finished_on__isnull=True).exists():
            raise AppError(APPRAISAL_OPEN)
        if case.measures.filter(kind=Measure.Kind.PRESERVATION, ended_on__isnull=True).exists():
            raise AppError(MEASURE_OPEN)
        if not case.evidence.exists():
            raise AppError(REPORT_NO_EVIDENCE)
        missing = checklist_missing(case)
        if missing:
            raise AppError(CHECKLIST_MISSING, missing="、".join(missing))
        fine = None
        if data.proposal == Case.Decision.PENALTY:
            fine = fine_check(case, data.proposed_fine, serious=data.serious)
        due = deadline(today, rules.period("case.legal_review", today))
        report = InvestigationReport.objects.create(
            case=case, facts=data.facts.strip(), grounds=data.grounds.strip(), proposal=data.proposal,
            proposed_fine=fine, serious=data.serious and fine is not None, submitted_by=user, submitted_on=today,
            review_due=due.on, review_missing_year=due.missing_year,
        )  # fmt: skip
        case.stage = Case.Stage.REVIEW
        _step(case, due)
        case.save(update_fields=["stage", "step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.REPORTED, report.get_proposal_display())
    return report


def report_review(
    *, user: User, case: Case, approve: bool, opinion: str, today: datetime.date | None = None
) -> InvestigationReport:
    """法制审核 by someone of the bureau who did not investigate the case (art. 52)."""
    today = today or program_today()
    if not opinion.strip():
        raise AppError(CLUE_REASON, field="opinion")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.REVIEW)
        if case.officers.filter(pk=user.pk).exists():
            raise AppError(REVIEWER_INVESTIGATED, name=user.display_name)
        report = case.reports.select_for_update().get(review=InvestigationReport.Review.PENDING)
        report.review = InvestigationReport.Review.APPROVED if approve else InvestigationReport.Review.RETURNED
        report.reviewer, report.opinion, report.reviewed_on = user, opinion.strip(), today
        report.save(update_fields=["review", "reviewer", "opinion", "reviewed_on"])
        case.stage = Case.Stage.NOTICE if approve else Case.Stage.INVESTIGATION
        _step(case, None)
        case.save(update_fields=["stage", "step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.REVIEWED if approve else CaseEvent.Kind.RETURNED, opinion.strip()[:200])
    return report


# --- notice, hearing, decision ---------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceInput:
    mode: str
    recipient: str
    delivered_on: datetime.date | None
    proof: UploadedFile | None
    address_confirmed: bool = False


def _serve(
    *, user: User, case: Case, document: str, data: ServiceInput, earliest: datetime.date, today: datetime.date
) -> ServiceRecord:
    """送达 with its proof; an announcement counts as served case.public_notice_service days on."""
    if data.mode not in ServiceRecord.Mode.values or not data.recipient.strip():
        raise AppError(SERVICE_EMPTY, field="mode")
    if data.mode == ServiceRecord.Mode.ELECTRONIC and not data.address_confirmed:
        raise AppError(SERVICE_ADDRESS, field="address_confirmed")
    if data.proof is None:
        raise AppError(SERVICE_PROOF, field="proof")
    delivered = _day(data.delivered_on, today, earliest=earliest)
    served = delivered
    if data.mode == ServiceRecord.Mode.ANNOUNCEMENT:
        served = delivered + datetime.timedelta(days=rules.period("case.public_notice_service", delivered))
    [(upload, content_type, sha256)] = checked_uploads([data.proof])
    record = uploads.store_upload(
        ServiceRecord(
            case=case, document=document, mode=data.mode, recipient=data.recipient.strip()[:200],
            delivered_on=delivered, served_on=served, uploaded_by=user,
        ),
        upload, content_type, sha256,
    )  # fmt: skip
    assert isinstance(record, ServiceRecord)
    return record


def notice_serve(
    *, user: User, case: Case, fine: Decimal | None, serious: bool, content: str, service: ServiceInput,
    today: datetime.date | None = None,
) -> PenaltyNotice:  # fmt: skip
    """行政处罚告知书 served: the party has case.notice_response working days from service."""
    today = today or program_today()
    if not content.strip():
        raise AppError(REPORT_EMPTY, field="content")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.NOTICE)
        if PenaltyNotice.objects.filter(case=case).exists():
            raise AppError(NOTICE_EXISTS)
        fine = fine_check(case, fine, serious=serious)
        reviewed = case.reports.filter(review=InvestigationReport.Review.APPROVED).aggregate(on=Max("reviewed_on"))
        record = _serve(
            user=user, case=case, document=ServiceRecord.Document.NOTICE, data=service,
            earliest=reviewed["on"] or case.opened_on, today=today,
        )  # fmt: skip
        due = deadline(record.served_on, rules.period("case.notice_response", record.served_on))
        notice = PenaltyNotice.objects.create(
            case=case, fine=fine, serious=serious, content=content.strip(), served_on=record.served_on,
            response_due=due.on, response_missing_year=due.missing_year, issued_by=user,
        )  # fmt: skip
        _step(case, due)
        case.save(update_fields=["step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.NOTICE, f"{fine} · {record.get_mode_display()}")
    return notice


RESPONSES = (PenaltyNotice.Response.STATEMENT, PenaltyNotice.Response.HEARING, PenaltyNotice.Response.WAIVED)


def notice_respond(
    *, user: User, case: Case, response: str, on: datetime.date | None, note: str = "",
    today: datetime.date | None = None,
) -> PenaltyNotice:  # fmt: skip
    """The party's statement, hearing request or written waiver, within the window (art. 57)."""
    today = today or program_today()
    if response not in RESPONSES:
        raise AppError(NOTICE_RESPONSE, field="response")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.NOTICE)
        notice = PenaltyNotice.objects.select_for_update().filter(case=case).first()
        if notice is None:
            raise AppError(NOTICE_MISSING)
        if notice.response in (PenaltyNotice.Response.WAIVED, PenaltyNotice.Response.HEARING):
            raise AppError(NOTICE_ANSWERED)
        day = _day(on, today, earliest=notice.served_on)
        if notice.response_due is not None and day > notice.response_due:
            raise AppError(NOTICE_WINDOW_CLOSED, field="date", day=notice.response_due.isoformat())
        notice.response, notice.response_on, notice.response_note = response, day, note.strip()
        notice.save(update_fields=["response", "response_on", "response_note"])
        if response == PenaltyNotice.Response.HEARING:
            stopped = _stop_clock(case, day)
            Hearing.objects.create(case=case, requested_on=day, stopped_clock=stopped)
            case.stage = Case.Stage.HEARING
            _step(case, None)
            case.save(update_fields=["stage", "suspended_since", "status", "step_due", "step_missing_year"])
        elif response == PenaltyNotice.Response.WAIVED:
            _step(case, None)
            case.save(update_fields=["step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.RESPONSE, f"{notice.get_response_display()} {note.strip()[:200]}".strip())
    return notice


def hearing_schedule(
    *, user: User, case: Case, chair: User | None, on: datetime.date | None, place: str, public: bool = False,
    today: datetime.date | None = None,
) -> Hearing:  # fmt: skip
    """The hearing notice: at least case.hearing_notice days ahead; a chair who did not investigate."""
    today = today or program_today()
    if on is None:
        raise AppError(DATE_MISSING, field="date")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.HEARING)
        if chair is None or not investigator_choices(case.region).filter(pk=chair.pk).exists():
            raise AppError(HEARING_CHAIR_BUREAU, field="chair")
        if case.officers.filter(pk=chair.pk).exists():
            raise AppError(HEARING_CHAIR, field="chair", name=chair.display_name)
        days = rules.period("case.hearing_notice", today)
        earliest = today + datetime.timedelta(days=days)
        if on < earliest:
            raise AppError(HEARING_DATE, field="date", days=days, earliest=earliest.isoformat())
        hearing = Hearing.objects.select_for_update().get(case=case)
        hearing.chair, hearing.scheduled_for, hearing.place, hearing.public = chair, on, place.strip()[:200], public
        hearing.save(update_fields=["chair", "scheduled_for", "place", "public"])
        case.step_due, case.step_missing_year = on, None
        case.save(update_fields=["step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.HEARING_SET, f"{on.isoformat()} {hearing.place} · {chair.display_name}")
    return hearing


def hearing_held(
    *, user: User, case: Case, held_on: datetime.date | None, report: str, signed: bool,
    today: datetime.date | None = None,
) -> Hearing:  # fmt: skip
    """Held with the transcript signed: the clock runs again and the case goes to its decision."""
    today = today or program_today()
    if not report.strip() or not signed:
        raise AppError(HEARING_TRANSCRIPT, field="report")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.HEARING)
        hearing = Hearing.objects.select_for_update().get(case=case)
        if hearing.scheduled_for is None:
            raise AppError(HEARING_NOT_SET)
        day = _day(held_on, today, earliest=hearing.scheduled_for)
        hearing.held_on, hearing.report = day, report.strip()
        hearing.save(update_fields=["held_on", "report"])
        if hearing.stopped_clock:
            _run_clock(case, day)
        case.stage = Case.Stage.NOTICE
        _step(case, None)
        case.save()
        _event(case, user, CaseEvent.Kind.HEARING_HELD, day.isoformat())
    return hearing


def case_decide(
    *, user: User, case: Case, decision: str, fine: Decimal | None = None, serious: bool = False,
    number: str = "", today: datetime.date | None = None,
) -> Case:  # fmt: skip
    """The decision (art. 60) after the approved review; a penalty after the notice's window
    closed (or a hearing was held), its fine within the law's bounds and not above the notice's."""
    today = today or program_today()
    if decision not in Case.Decision.values:
        raise AppError(CASE_DECISION, field="decision")
    with transaction.atomic():
        case = _case(user, case)
        if case.status == Case.Status.DECIDED:
            raise AppError(CASE_DECIDED)
        _at(case, Case.Stage.NOTICE)
        if case.suspended_since is not None:
            raise AppError(CASE_STOPPED)
        if decision == Case.Decision.PENALTY:
            notice = PenaltyNotice.objects.filter(case=case).first()
            if notice is None:
                raise AppError(NOTICE_MISSING)
            if notice.window_open(today):
                if notice.response_due is None:  # a year the calendar lacks: never guessed
                    raise AppError(NOTICE_WINDOW_UNCOUNTED, year=notice.response_missing_year)
                raise AppError(NOTICE_WINDOW_OPEN, day=notice.response_due.isoformat())
            fine = fine_check(case, fine, serious=serious)
            if fine > notice.fine:
                raise AppError(FINE_HEAVIER, field="fine", fine=notice.fine)
        else:
            fine, serious = None, False
        case.decision, case.fine, case.serious, case.decided_on = decision, fine, serious, today
        case.decision_number = number.strip()[:64]
        case.status, case.stage = Case.Status.DECIDED, Case.Stage.DECIDED
        if decision == Case.Decision.TRANSFER:  # sent on to another organ: nothing to serve
            _step(case, deadline(today, rules.period("case.closing", today)))
        else:
            _step(case, deadline(today, rules.period("case.service", today)))
        case.save()
        _event(case, user, CaseEvent.Kind.DECIDED, f"{case.get_decision_display()} {fine or ''}".strip())
    return case


# --- service, payment, closing ---------------------------------------------------------------------


def case_serve(*, user: User, case: Case, service: ServiceInput, today: datetime.date | None = None) -> ServiceRecord:
    """The decision served with its proof; a fine is then due within case.payment days."""
    today = today or program_today()
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.DECIDED)
        if case.decision == Case.Decision.TRANSFER:
            raise AppError(CASE_ORDER, stage=case.get_stage_display())
        assert case.decided_on is not None
        record = _serve(
            user=user, case=case, document=ServiceRecord.Document.DECISION, data=service, earliest=case.decided_on,
            today=today,
        )  # fmt: skip
        case.stage = Case.Stage.SERVED
        if case.decision == Case.Decision.PENALTY:
            _step(case, deadline_in_days(record.served_on, rules.period("case.payment", record.served_on)))
        else:
            _step(case, deadline(record.served_on, rules.period("case.closing", record.served_on)))
        case.save(update_fields=["stage", "step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.SERVED, f"{record.get_mode_display()} · {record.recipient}")
    return record


def paid_total(case: Case) -> Decimal:
    return case.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def case_pay(
    *, user: User, case: Case, amount: Decimal | None, paid_on: datetime.date | None, receipt: str,
    today: datetime.date | None = None,
) -> Payment:  # fmt: skip
    today = today or program_today()
    if not receipt.strip():
        raise AppError(PAYMENT_RECEIPT, field="receipt")
    with transaction.atomic():
        case = _case(user, case)
        _at(case, Case.Stage.SERVED)
        if case.decision != Case.Decision.PENALTY or case.fine is None:
            raise AppError(CASE_ORDER, stage=case.get_stage_display())
        left = case.fine - paid_total(case)
        if amount is None or not Decimal(0) < amount <= left:
            raise AppError(PAYMENT_AMOUNT, field="amount", left=left)
        served = case.services.filter(document=ServiceRecord.Document.DECISION).aggregate(on=Max("served_on"))["on"]
        day = _day(paid_on, today, earliest=served)
        payment = Payment.objects.create(case=case, amount=amount, paid_on=day, receipt=receipt.strip()[:64],
                                         recorded_by=user)  # fmt: skip
        if amount == left:  # paid in full: the closing approval is due
            _step(case, deadline(day, rules.period("case.closing", day)))
            case.save(update_fields=["step_due", "step_missing_year"])
        _event(case, user, CaseEvent.Kind.PAID, f"{amount} · {payment.receipt}")
    return payment


def case_close(
    *, user: User, case: Case, opinion: str, court_enforcement: bool = False, today: datetime.date | None = None
) -> Case:
    """结案审批 (art. 77): once the decision is served and carried out (a fine paid in full, or
    the application to the court for enforcement recorded), or the case transferred."""
    today = today or program_today()
    if not opinion.strip():
        raise AppError(CLUE_REASON, field="opinion")
    with transaction.atomic():
        case = _case(user, case)
        transferred = case.stage == Case.Stage.DECIDED and case.decision == Case.Decision.TRANSFER
        if not transferred:
            _at(case, Case.Stage.SERVED)
        fine = case.fine if case.decision == Case.Decision.PENALTY else None
        if fine is not None and paid_total(case) < fine and not court_enforcement:
            raise AppError(CLOSE_UNPAID)
        case.stage, case.closed_on = Case.Stage.CLOSED, today
        _step(case, None)
        case.save(update_fields=["stage", "closed_on", "step_due", "step_missing_year"])
        note = opinion.strip()[:200]
        if court_enforcement:
            note = f"{COURT_ENFORCEMENT}: {note}"
        _event(case, user, CaseEvent.Kind.CLOSED, note)
    return case


def case_file(case: Case) -> dict[str, Any]:
    """What the case page shows of the procedure, in a fixed number of queries."""
    checklist: dict[str, ChecklistEntry] = {}
    for entry in case.checklist.prefetch_related("evidence"):
        checklist.setdefault(entry.group, entry)  # ordered newest first: the current finding
    return {
        "evidence": list(case.evidence.prefetch_related("files")),
        "checklist": [(value, label, checklist.get(value)) for value, label in ChecklistEntry.Group.choices],
        "measures": list(case.measures.all()),
        "appraisals": list(case.appraisals.all()),
        "reports": list(case.reports.select_related("submitted_by", "reviewer")),
        "notice": PenaltyNotice.objects.filter(case=case).first(),
        "hearing": Hearing.objects.filter(case=case).select_related("chair").first(),
        "service_records": list(case.services.all()),
        "payments": list(case.payments.all()),
        "paid": paid_total(case),
    }
