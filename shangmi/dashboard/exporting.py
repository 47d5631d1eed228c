"""The dashboard's view as a workbook (core.xlsx) and as a PDF (shangmi.pdf): the same table
the page shows, each figure beside its target, and the children the map cannot draw."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from shangmi.core.xlsx import new_workbook
from shangmi.dashboard.selectors import Dashboard, DashboardRow
from shangmi.pdf.fonts import FONT_FAMILY, new_document


def _title(dashboard: Dashboard) -> str:
    return _("Dashboard of %(region)s, %(year)s") % {"region": dashboard.region.full_name, "year": dashboard.year}


def _header() -> list[str]:
    return [_("Region"), _("Division code")]


def _lines(dashboard: Dashboard) -> list[tuple[DashboardRow, str]]:
    rows = [(row, row.region.name) for row in dashboard.rows]
    return [*rows, (dashboard.total, _("Total"))]


def dashboard_xlsx(dashboard: Dashboard, target: IO[bytes]) -> None:
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(_("Dashboard"))
    bold = workbook.add_format({"bold": True})
    sheet.write(0, 0, _title(dashboard), bold)
    header = _header()
    for provider in dashboard.providers:
        header += [str(provider.label), _("Target")]
    header.append(_("On the map"))
    sheet.write_row(2, 0, header, bold)
    for number, (row, label) in enumerate(_lines(dashboard), start=3):
        line: list[object] = [label, row.region.code]
        for cell in row.cells:
            line += [cell.value, cell.target]
        if row is dashboard.total:
            line.append("")
        else:
            line.append(_("yes") if row.has_boundary else _("no boundary"))
        sheet.write_row(number, 0, line)
    sheet.set_column(0, 0, 18)
    sheet.set_column(2, len(header), 14)
    workbook.close()


def dashboard_pdf(dashboard: Dashboard) -> bytes:
    pdf = new_document(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.cell(0, 10, _title(dashboard), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 8)
    figures = len(dashboard.providers)
    first = 40.0
    width = (pdf.w - pdf.l_margin - pdf.r_margin - first) / figures
    with pdf.table(
        col_widths=(first, *([width] * figures)),
        text_align=("LEFT", *(["CENTER"] * figures)),
        line_height=5,
    ) as table:
        head = table.row()
        head.cell(_("Region"))
        for provider in dashboard.providers:
            head.cell(f"{provider.label} ({_('target')})")
        for row, label in _lines(dashboard):
            line = table.row()
            marker = "" if row is dashboard.total or row.has_boundary else " *"
            line.cell(f"{label}{marker}")
            for cell in row.cells:
                text = cell.value + (f" / {cell.target}" if cell.target else "")
                line.cell(text + (" ▼" if cell.behind else ""))
    pdf.ln(3)
    notes = [_("Figures with ▼ are behind their target.")]
    if dashboard.without_boundary:
        notes.append(_("* No boundary in the map packages for this region: it is not drawn on the map."))
    for note in notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
