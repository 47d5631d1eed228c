"""Official documents of a case as PDF, always in Chinese (they are served on parties and
organs): here the letter of transfer of a suspected criminal case (涉嫌犯罪案件移送书, 国务院令
第310号 art. 6) with its list of attachments."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from shangmi.core.calendar import program_today
from shangmi.enforcement.models import Transfer
from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import wrap_cjk

WIDTH = 170


def transfer_letter_pdf(transfer: Transfer) -> bytes:
    case = transfer.case
    with translation.override("zh-hans"):
        pdf = new_document(orientation="P", unit="mm", format="A4")
        pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", 18)
        pdf.cell(
            WIDTH, 14, _("Letter of transfer of a suspected criminal case"), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(FONT_FAMILY, "", 11)
        lines = [
            f"{transfer.get_organ_display()}：",
            _("The case of %(party)s, opened on %(day)s, is suspected of a crime and is transferred to you.")
            % {"party": case.party, "day": case.opened_on.isoformat()},
            _("Grounds: %(reason)s") % {"reason": transfer.reason},
            _("Loss or gain found: %(amount)s yuan") % {"amount": case.loss_amount if case.loss_amount else "—"},
            _("Attachments:"),
            *[f"{n}. {label}" for n, (_key, label) in enumerate(Transfer.ATTACHMENTS, start=1)],
        ]
        for line in lines:
            for wrapped in wrap_cjk(pdf, str(line), WIDTH):
                pdf.cell(WIDTH, 8, wrapped, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(10)
        sent = transfer.sent_at.date() if transfer.sent_at else program_today()
        pdf.cell(WIDTH, 8, _("%(bureau)s market regulation bureau") % {"bureau": case.region.full_name}, align="R",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.cell(WIDTH, 8, sent.isoformat(), align="R", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
