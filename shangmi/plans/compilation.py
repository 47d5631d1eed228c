"""The results compilation (成果汇编) of a plan for the acceptance of the pilot, made in its
summary phase (梳理汇总): every task in order with its units, status, and every report with
the names of its files, as a Word file (python-docx) and a PDF (shangmi/pdf, Noto Sans SC).
Always in Chinese: it is handed to the acceptance panel."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from shangmi.core.calendar import program_today
from shangmi.pdf.fonts import FONT_FAMILY, new_document
from shangmi.pdf.layout import wrap_cjk
from shangmi.plans.models import Plan, Report, Task

WIDTH = 180


@dataclass
class Section:
    task: Task
    lines: list[str]  # the task's facts, then each report with its files


def sections(plan: Plan) -> list[Section]:
    reports = (
        Report.objects.select_related("unit", "reported_by").prefetch_related("files").order_by("reported_at", "pk")
    )
    tasks = (
        plan.tasks.select_related("lead_unit", "phase")
        .prefetch_related("co_units", Prefetch("reports", queryset=reports))
        .order_by("number")
    )
    out = []
    for task in tasks:
        co = "、".join(unit.name for unit in task.co_units.all())
        lines = [
            _("Lead: %(lead)s") % {"lead": task.lead_unit.name}
            + (("；" + _("Co-units: %(co)s") % {"co": co}) if co else ""),
            _("Due: %(due)s · Status: %(status)s · Progress: %(progress)d%%")
            % {"due": task.due_on.isoformat(), "status": task.get_status_display(), "progress": task.progress},
        ]
        reports_of = list(task.reports.all())
        if not reports_of:
            lines.append(_("No report."))
        for report in reports_of:
            lines.append(
                _("%(day)s %(unit)s reported (%(progress)d%%): %(text)s")
                % {
                    "day": report.reported_on.isoformat(),
                    "unit": report.unit.name,
                    "progress": report.progress,
                    "text": report.text,
                }
            )
            for stored in report.files.all():
                lines.append("    " + _("Attachment: %(name)s") % {"name": stored.original_name})
        out.append(Section(task, lines))
    return out


def _heading(plan: Plan) -> tuple[str, str]:
    return (
        _("Results compilation: %(plan)s") % {"plan": plan.title},
        _("%(issuer)s · compiled on %(day)s") % {"issuer": plan.issuer, "day": program_today().isoformat()},
    )


def compilation_docx(plan: Plan) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    with translation.override("zh-hans"):
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "Noto Sans SC"
        # Word takes the font of Chinese text from the East Asian slot, not the Latin one.
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans SC")
        title, subtitle = _heading(plan)
        document.add_heading(title, level=0)
        document.add_paragraph(subtitle)
        area = None
        for section in sections(plan):
            task = section.task
            if task.area != area:
                area = task.area
                document.add_heading(f"{task.area_number}. {area}", level=1)
            document.add_heading(f"{task.number}. {task.text}", level=2)
            for line in section.lines:
                document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def compilation_pdf(plan: Plan) -> bytes:
    with translation.override("zh-hans"):
        pdf = new_document(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(True, margin=15)
        pdf.add_page()
        title, subtitle = _heading(plan)
        pdf.set_font(FONT_FAMILY, "B", 15)
        for line in wrap_cjk(pdf, title, WIDTH):
            pdf.cell(WIDTH, 9, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        pdf.cell(WIDTH, 7, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        area = None
        for section in sections(plan):
            task = section.task
            if task.area != area:
                area = task.area
                pdf.ln(3)
                pdf.set_font(FONT_FAMILY, "B", 12)
                pdf.cell(WIDTH, 8, f"{task.area_number}. {area}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, "B", 10)
            for line in wrap_cjk(pdf, f"{task.number}. {task.text}", WIDTH):
                pdf.cell(WIDTH, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_FAMILY, "", 9)
            for text in section.lines:
                for line in wrap_cjk(pdf, text, WIDTH):
                    pdf.cell(WIDTH, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        return bytes(pdf.output())
