"""The official papers (文书) of a case, always in Chinese (they are served on parties and
organs, and filed): each step of the procedure produces its paper from the case's own rows,
as a Word file the bureau can still edit and as a PDF (``shangmi.pdf.papers``).

- 立案审批表 (art. 19-20), 询问笔录 (art. 22-23, one per witness or party statement, and a
  blank one), 先行登记保存通知书 (arts. 33-35), 行政处罚告知书 (art. 57), 听证通知书 (行政处罚法
  art. 64), 行政处罚决定书 (arts. 60-62), 送达回证 (arts. 81-83, one per service), 涉嫌犯罪案件
  移送书 (国务院令第310号 art. 6), 结案审批表 (art. 77);
- the case file in its two volumes (art. 78 of 市场监督管理行政处罚程序规定, as
  shared/reference/enforcement.md A1 summarises it): the main volume (正卷) holds the filing
  form, the decision and its acknowledgement of service, the other papers served on the party
  with theirs, the evidence, the hearing transcript and the payment receipts; the secondary
  volume (副卷), never shown to the party, the source of the case, the investigation report,
  the legal review's opinion, the hearing report and the closing form.

A paper that the case has not reached yet (no notice served, no hearing) does not exist:
``case_papers`` lists only those that do, and asking for another is a 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.calendar import program_today
from shangmi.enforcement import rules
from shangmi.enforcement.models import (
    Case,
    CaseEvent,
    EvidenceItem,
    Hearing,
    InvestigationReport,
    Measure,
    PenaltyNotice,
    ServiceRecord,
    Transfer,
)
from shangmi.enforcement.procedure import paid_total
from shangmi.pdf.papers import Paper, paper_docx, paper_pdf, volume_pdf

BLANK = "＿＿＿＿＿＿"


def _day(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else BLANK


def _yuan(amount: Decimal | None) -> str:
    return _("%(amount)s yuan") % {"amount": f"{amount:,.2f}"} if amount is not None else "—"


def _bureau(case: Case) -> str:
    return _("%(bureau)s market regulation bureau") % {"bureau": case.region.full_name}


def _names(case: Case) -> str:
    return "、".join(o.display_name for o in case.officers.order_by("full_name", "pk"))


def _signed(case: Case, day: datetime.date | None) -> list[str]:
    return [_("(seal)") + " " + _bureau(case), _day(day)]


# --- the papers ------------------------------------------------------------------------------------


def filing_paper(case: Case) -> Paper:
    clue = case.clue
    source = _("Clue %(number)s received on %(day)s") % {"number": clue.pk, "day": _day(clue.received_on)}
    if clue.demand_id is not None:
        source += " · " + _("from a demand of the right holder")
    return Paper(
        issuer=_bureau(case),
        title=_("Case filing approval form"),
        fields=[
            (_("Case number"), str(case.pk)),
            (_("Party"), case.party),
            (_("Source of the case"), source),
            (_("Date of the act"), _day(case.act_date)),
            (_("Loss or gain"), _yuan(case.loss_amount)),
            (_("Facts of the clue"), clue.description),
            (
                _("Conditions for opening (art. 19)"),
                _(
                    "Prima facie evidence of a violation; a penalty applies by law; within this bureau's "
                    "jurisdiction; within the time limit for a penalty."
                ),
            ),
            (_("Investigators"), _names(case)),
            (_("Opening recorded by"), case.opened_by.display_name),
            (_("Opened on"), _day(case.opened_on)),
            (_("Decision due"), _day(case.decision_due)),
        ],
        blanks=[_("Opinion of the head")],
        signature=[_("Signature of the head"), _day(case.opened_on)],
    )


def inquiry_paper(case: Case, item: EvidenceItem | None) -> Paper:
    """询问笔录: the heading and the officers' opening statement filled in, the questions and
    answers written during the inquiry (a blank one when no statement is recorded yet)."""
    return Paper(
        issuer=_bureau(case),
        title=_("Record of inquiry"),
        fields=[
            (_("Case"), f"{case.pk} · {case.party}"),
            (_("Person inquired"), item.source if item else ""),
            (_("Subject"), item.title if item else ""),
            (_("Time"), _day(item.obtained_on) if item else BLANK),
            (_("Place"), ""),
            (_("Inquiring officers"), _names(case)),
        ],
        paragraphs=[
            _(
                "We are law enforcement officers of %(bureau)s and show our enforcement certificates. "
                "You are required to answer truthfully and to assist the investigation; you may ask "
                "that trade secrets and personal information you give be kept confidential, and you "
                "may ask for an officer's withdrawal if there is a conflict of interest."
            )
            % {"bureau": _bureau(case)},
        ],
        blanks=[
            _("Inquiry: question"),
            _("Inquiry: answer"),
            _("Inquiry: question"),
            _("Inquiry: answer"),
            _("Signature of the person inquired"),
            _("Signatures of the officers"),
        ],
    )


def preservation_paper(case: Case, measure: Measure) -> Paper:
    days = rules.period("case.preservation_decision", measure.started_on)
    return Paper(
        issuer=_bureau(case),
        title=_("Notice of registration and preservation of evidence"),
        fields=[
            (_("Party"), case.party),
            (_("Items preserved"), measure.items),
            (_("Head's approval"), measure.approval),
            (_("Preserved on"), _day(measure.started_on)),
            (_("To be decided by"), _day(measure.due_on)),
        ],
        paragraphs=[
            _(
                "Under articles 33 to 35 of the Provisions on the Procedure of Administrative Penalties "
                "of Market Regulation, the items above are registered and preserved. This bureau "
                "decides on them within %(days)s working days. Meanwhile no one may destroy or move them."
            )
            % {"days": days},
        ],
        blanks=[_("Signature of the party")],
        signature=_signed(case, measure.started_on),
    )


def notice_paper(case: Case, notice: PenaltyNotice) -> Paper:
    days = rules.period("case.notice_response", notice.served_on)
    return Paper(
        issuer=_bureau(case),
        title=_("Notice of the intended administrative penalty"),
        fields=[
            (_("Party"), case.party),
            (_("Facts, grounds and rights"), notice.content),
            (_("Intended penalty"), _("A fine of %(fine)s") % {"fine": _yuan(notice.fine)}),
        ],
        paragraphs=[
            _(
                "You may state your case and defend yourself, and ask for a hearing, within %(days)s "
                "working days of receiving this notice (by %(day)s); if you do not, you are taken to "
                "have waived these rights. The penalty is not made heavier because you defend yourself."
            )
            % {"days": days, "day": _day(notice.response_due)},
        ],
        signature=_signed(case, notice.served_on),
    )


def hearing_paper(case: Case, hearing: Hearing) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Notice of hearing"),
        fields=[
            (_("Party"), case.party),
            (_("Hearing date"), _day(hearing.scheduled_for)),
            (_("Place"), hearing.place),
            (_("Chair"), hearing.chair.display_name if hearing.chair else BLANK),
            (
                _("Public or not"),
                _("Public") if hearing.public else _("Not public: trade secrets are at stake"),
            ),
        ],
        paragraphs=[
            _(
                "You may attend in person or send one or two agents with a written power of attorney, "
                "and you may ask for the chair's withdrawal. If you do not attend without good reason, "
                "you are taken to have given up the hearing."
            ),
        ],
        signature=_signed(case, hearing.requested_on),
    )


def _approved_report(case: Case) -> InvestigationReport | None:
    return case.reports.filter(review=InvestigationReport.Review.APPROVED).order_by("-reviewed_on", "-pk").first()


def decision_paper(case: Case) -> Paper:
    report = _approved_report(case)
    if case.decision == Case.Decision.PENALTY:
        outcome = _("A fine of %(fine)s") % {"fine": _yuan(case.fine)}
        days = rules.period("case.payment", case.decided_on or program_today())
        pay = [
            _(
                "Pay the fine within %(days)s days of receiving this decision; each day late adds 3%% "
                "of the fine, up to the fine itself."
            )
            % {"days": days}
        ]
    else:
        outcome, pay = case.get_decision_display(), []
    return Paper(
        issuer=_bureau(case),
        title=_("Decision on administrative penalty"),
        number=case.decision_number,
        fields=[
            (_("Party"), case.party),
            (_("Facts found"), report.facts if report else ""),
            (_("Legal grounds"), report.grounds if report else ""),
            (_("Decision"), outcome),
        ],
        paragraphs=[
            *pay,
            _(
                "If you disagree with this decision, you may apply for administrative reconsideration "
                "or bring an administrative lawsuit according to law."
            ),
        ],
        signature=_signed(case, case.decided_on),
    )


def service_paper(case: Case, record: ServiceRecord) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Acknowledgement of service"),
        fields=[
            (_("Case"), f"{case.pk} · {case.party}"),
            (_("Document served"), record.get_document_display()),
            (_("Document number"), case.decision_number if record.document == ServiceRecord.Document.DECISION else ""),
            (_("Recipient"), record.recipient),
            (_("How served"), record.get_mode_display()),
            (_("Delivered or announced on"), _day(record.delivered_on)),
            (_("Served on"), _day(record.served_on)),
        ],
        blanks=[_("Signature of the recipient"), _("Signature of the serving officer")],
        signature=_signed(case, record.delivered_on),
    )


def transfer_paper(transfer: Transfer) -> Paper:
    case = transfer.case
    sent = transfer.sent_at.date() if transfer.sent_at else None
    return Paper(
        issuer=_bureau(case),
        title=_("Letter of transfer of a suspected criminal case"),
        fields=[
            (_("Receiving organ"), transfer.get_organ_display()),
            (_("Party"), case.party),
            (_("Opened on"), _day(case.opened_on)),
        ],
        paragraphs=[
            _("The case of %(party)s, opened on %(day)s, is suspected of a crime and is transferred to you.")
            % {"party": case.party, "day": case.opened_on.isoformat()},
            _("Grounds: %(reason)s") % {"reason": transfer.reason},
            _("Loss or gain found: %(amount)s yuan") % {"amount": case.loss_amount if case.loss_amount else "—"},
            _("Attachments:"),
            *[f"{n}. {label}" for n, (_key, label) in enumerate(Transfer.ATTACHMENTS, start=1)],
        ],
        signature=_signed(case, sent or program_today()),
    )


def closing_paper(case: Case) -> Paper:
    closed = case.events.filter(kind=CaseEvent.Kind.CLOSED).order_by("-at").first()
    return Paper(
        issuer=_bureau(case),
        title=_("Case closing approval form"),
        fields=[
            (_("Case number"), str(case.pk)),
            (_("Party"), case.party),
            (_("Decision"), f"{case.get_decision_display()} {case.decision_number}".strip()),
            (_("Decided on"), _day(case.decided_on)),
            (_("Fine"), _yuan(case.fine)),
            (_("Paid"), _yuan(paid_total(case)) if case.fine is not None else "—"),
            (_("Closing opinion"), closed.note if closed else ""),
            (_("Closed on"), _day(case.closed_on)),
        ],
        blanks=[_("Opinion of the head")],
        signature=[_("Signature of the head"), _day(case.closed_on)],
    )


def evidence_paper(case: Case) -> Paper:
    """The evidence of the case in its order, with each file's name and SHA-256."""
    rows = []
    for item in case.evidence.prefetch_related("files"):
        files = "；".join(f"{f.original_name} SHA-256 {f.sha256}" for f in item.files.all())
        fixing = f" · {item.get_fixing_display()} {item.fixing_detail}".rstrip() if item.fixing else ""
        rows.append(
            (f"{item.number}. {item.get_kind_display()}",
             f"{item.title} · {item.source} · {_day(item.obtained_on)}{fixing}" + (f"\n{files}" if files else "")),
        )  # fmt: skip
    return Paper(issuer=_bureau(case), title=_("List of evidence"), fields=rows or [(_("Evidence"), "—")])


def hearing_record_paper(case: Case, hearing: Hearing) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Hearing transcript"),
        fields=[
            (_("Party"), case.party),
            (_("Held on"), _day(hearing.held_on)),
            (_("Place"), hearing.place),
            (_("Chair"), hearing.chair.display_name if hearing.chair else ""),
        ],
        blanks=[_("Signature of the party"), _("Signature of the chair"), _("Signature of the clerk")],
    )


def payments_paper(case: Case) -> Paper:
    rows = [(_day(p.paid_on), f"{_yuan(p.amount)} · {_('receipt')} {p.receipt}") for p in case.payments.all()]
    return Paper(issuer=_bureau(case), title=_("Receipts of payment"), fields=rows)


def source_paper(case: Case) -> Paper:
    """案源: the clue as it came in; the reporter's identity stays on the clue (art. 33 of the
    complaint and report measures), the paper says only whether it was given."""
    clue = case.clue
    return Paper(
        issuer=_bureau(case),
        title=_("Source of the case"),
        fields=[
            (_("Clue"), str(clue.pk)),
            (_("Received on"), _day(clue.received_on)),
            (_("Reported by name"), _("Yes") if clue.real_name else _("No")),
            (_("Reported party"), clue.against),
            (_("What happened"), clue.description),
            (_("Screening decided on"), _day(clue.decided_on)),
            (_("Reasons"), clue.decision_reason),
        ],
    )


def report_paper(case: Case, report: InvestigationReport) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Final investigation report"),
        fields=[
            (_("Party"), case.party),
            (_("Facts found"), report.facts),
            (_("Legal grounds"), report.grounds),
            (_("Proposed handling"), report.get_proposal_display()),
            (_("Proposed fine"), _yuan(report.proposed_fine)),
            (_("Submitted by"), report.submitted_by.display_name),
            (_("Submitted on"), _day(report.submitted_on)),
        ],
    )


def review_paper(case: Case, report: InvestigationReport) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Opinion of the legal review"),
        fields=[
            (_("Party"), case.party),
            (_("Report submitted on"), _day(report.submitted_on)),
            (_("Review"), report.get_review_display()),
            (_("Review opinion"), report.opinion),
            (_("Reviewer"), report.reviewer.display_name if report.reviewer else ""),
            (_("Reviewed on"), _day(report.reviewed_on)),
        ],
    )


def hearing_report_paper(case: Case, hearing: Hearing) -> Paper:
    return Paper(
        issuer=_bureau(case),
        title=_("Hearing report"),
        fields=[
            (_("Party"), case.party),
            (_("Held on"), _day(hearing.held_on)),
            (_("Chair"), hearing.chair.display_name if hearing.chair else ""),
            (_("Hearing report"), hearing.report),
        ],
    )


# --- which papers a case has -----------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRef:
    """One paper a case has: its kind, the row it is made from (None for one per case), its
    name in the list and the function that makes it."""

    kind: str
    row: int | None
    name: str
    make: Callable[[], Paper]


KINDS = {
    "filing": gettext_lazy("Case filing approval form"),
    "inquiry": gettext_lazy("Record of inquiry"),
    "preservation": gettext_lazy("Notice of registration and preservation of evidence"),
    "notice": gettext_lazy("Notice of the intended administrative penalty"),
    "hearing": gettext_lazy("Notice of hearing"),
    "decision": gettext_lazy("Decision on administrative penalty"),
    "service": gettext_lazy("Acknowledgement of service"),
    "transfer": gettext_lazy("Letter of transfer of a suspected criminal case"),
    "closing": gettext_lazy("Case closing approval form"),
}
STATEMENTS = (EvidenceItem.Kind.WITNESS, EvidenceItem.Kind.STATEMENT)


def case_papers(case: Case) -> list[PaperRef]:
    """The papers the case has reached, in the order of the procedure."""
    refs = [PaperRef("filing", None, str(KINDS["filing"]), lambda: filing_paper(case))]
    refs.append(PaperRef("inquiry", None, str(KINDS["inquiry"]), lambda: inquiry_paper(case, None)))
    for item in case.evidence.filter(kind__in=STATEMENTS):
        refs.append(
            PaperRef("inquiry", item.pk, f"{KINDS['inquiry']} · {item.source}", partial(inquiry_paper, case, item))
        )
    for measure in case.measures.filter(kind=Measure.Kind.PRESERVATION):
        refs.append(
            PaperRef("preservation", measure.pk, f"{KINDS['preservation']} · {measure.started_on.isoformat()}",
                     partial(preservation_paper, case, measure)),
        )  # fmt: skip
    notice = PenaltyNotice.objects.filter(case=case).first()
    if notice is not None:
        refs.append(PaperRef("notice", None, str(KINDS["notice"]), lambda: notice_paper(case, notice)))
    hearing = Hearing.objects.filter(case=case).select_related("chair").first()
    if hearing is not None and hearing.scheduled_for is not None:
        refs.append(PaperRef("hearing", None, str(KINDS["hearing"]), lambda: hearing_paper(case, hearing)))
    if case.decided_on is not None and case.decision != Case.Decision.TRANSFER:
        refs.append(PaperRef("decision", None, str(KINDS["decision"]), lambda: decision_paper(case)))
    for record in case.services.all():
        refs.append(
            PaperRef("service", record.pk, f"{KINDS['service']} · {record.get_document_display()}",
                     partial(service_paper, case, record)),
        )  # fmt: skip
    for transfer in case.transfers.all():
        refs.append(
            PaperRef("transfer", transfer.pk, f"{KINDS['transfer']} · {transfer.get_organ_display()}",
                     partial(transfer_paper, transfer)),
        )  # fmt: skip
    if case.closed_on is not None:
        refs.append(PaperRef("closing", None, str(KINDS["closing"]), lambda: closing_paper(case)))
    return refs


def find_paper(case: Case, kind: str, row: int | None) -> PaperRef | None:
    return next((r for r in case_papers(case) if r.kind == kind and r.row == row), None)


def paper_file(ref: PaperRef, fmt: str) -> bytes:
    """The paper as .docx or .pdf, in Chinese whatever the reader's language."""
    with translation.override("zh-hans"):
        paper = ref.make()
        return paper_docx(paper) if fmt == "docx" else paper_pdf(paper)


def paper_filename(case: Case, ref: PaperRef, fmt: str) -> str:
    with translation.override("zh-hans"):
        name = str(KINDS[ref.kind])
    suffix = f"-{ref.row}" if ref.row is not None else ""
    return f"{name}-{case.pk}{suffix}.{fmt}"


# --- the two volumes (art. 78) ----------------------------------------------------------------------

MAIN, SECONDARY = "main", "secondary"


def main_volume(case: Case) -> list[Paper]:
    """正卷: filing form; decision and its acknowledgement; the other papers served on the party
    with theirs; the evidence; the hearing transcript; the receipts."""
    papers = [filing_paper(case)]
    services = list(case.services.all())
    if case.decided_on is not None and case.decision != Case.Decision.TRANSFER:
        papers.append(decision_paper(case))
        papers += [service_paper(case, r) for r in services if r.document == ServiceRecord.Document.DECISION]
    notice = PenaltyNotice.objects.filter(case=case).first()
    if notice is not None:
        papers.append(notice_paper(case, notice))
        papers += [service_paper(case, r) for r in services if r.document == ServiceRecord.Document.NOTICE]
    papers += [preservation_paper(case, m) for m in case.measures.filter(kind=Measure.Kind.PRESERVATION)]
    hearing = Hearing.objects.filter(case=case).select_related("chair").first()
    if hearing is not None and hearing.scheduled_for is not None:
        papers.append(hearing_paper(case, hearing))
    papers += [transfer_paper(t) for t in case.transfers.exclude(status=Transfer.Status.PROPOSED)]
    papers.append(evidence_paper(case))
    papers += [inquiry_paper(case, item) for item in case.evidence.filter(kind__in=STATEMENTS)]
    if hearing is not None and hearing.held_on is not None:
        papers.append(hearing_record_paper(case, hearing))
    if case.payments.exists():
        papers.append(payments_paper(case))
    return papers


def secondary_volume(case: Case) -> list[Paper]:
    """副卷: the source of the case, the investigation report, the legal review's opinion, the
    hearing report, the closing form."""
    papers = [source_paper(case)]
    reports = list(case.reports.select_related("submitted_by", "reviewer"))
    papers += [report_paper(case, r) for r in reports]
    papers += [review_paper(case, r) for r in reports if r.review != InvestigationReport.Review.PENDING]
    hearing = Hearing.objects.filter(case=case).select_related("chair").first()
    if hearing is not None and hearing.held_on is not None:
        papers.append(hearing_report_paper(case, hearing))
    if case.closed_on is not None:
        papers.append(closing_paper(case))
    return papers


def volume_file(case: Case, volume: str) -> bytes:
    with translation.override("zh-hans"):
        papers = main_volume(case) if volume == MAIN else secondary_volume(case)
        title = _("Main volume") if volume == MAIN else _("Secondary volume")
        subtitle = f"{_bureau(case)} · {_('Case')} {case.pk} · {case.party}"
        return volume_pdf(title, subtitle, papers, _("Contents"))


def volume_filename(case: Case, volume: str) -> str:
    with translation.override("zh-hans"):
        name = _("Main volume") if volume == MAIN else _("Secondary volume")
    return f"{name}-{case.pk}.pdf"


def transfer_letter_pdf(transfer: Transfer) -> bytes:
    with translation.override("zh-hans"):
        return paper_pdf(transfer_paper(transfer))


def transfer_letter_docx(transfer: Transfer) -> bytes:
    with translation.override("zh-hans"):
        return paper_docx(transfer_paper(transfer))
