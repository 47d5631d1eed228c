"""The dashboard's view as a workbook (core.xlsx) and as a PDF (shangmi.pdf): the same table
the page shows, each figure beside its target, and the children the map cannot draw."""

from __future__ import annotations

import json
import math
from typing import IO, Any

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


LIGHT = (232, 241, 251)
DARK = (11, 94, 215)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes are not drawn at this size)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def draw_map(pdf: Any, dashboard: Dashboard, x: float, y: float, width: float, height: float) -> None:
    """The page's map drawn from the same GeoJSON as the browser's: each child's area filled
    by the chosen figure (light: 0, dark: the largest), its name at the middle of its largest
    ring. Longitudes are shortened by the cosine of the middle latitude, as a map would be."""
    features = json.loads(dashboard.boundaries.geojson)["features"]
    if not features:
        return
    values = {d["code"]: d["value"] for d in dashboard.map_data()}
    top = max((v for v in values.values() if v is not None), default=0) or 1
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = min(width / ((east - west) * squeeze or 1), height / ((north - south) or 1))

    x += (width - (east - west) * squeeze * scale) / 2  # centred on the page

    def at(point: list[float]) -> tuple[float, float]:
        return x + (point[0] - west) * squeeze * scale, y + (north - point[1]) * scale

    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.2)
    labels = []
    for feature in features:
        value = values.get(feature["id"])
        share = 0.0 if value is None else max(0.0, min(1.0, value / top))
        pdf.set_fill_color(*(round(a + (b - a) * share) for a, b in zip(LIGHT, DARK, strict=True)))
        rings = _rings(feature["geometry"])
        for ring in rings:
            pdf.polygon([at(p) for p in ring], style="DF")
        largest = max(rings, key=len)
        cx, cy = at([sum(p[0] for p in largest) / len(largest), sum(p[1] for p in largest) / len(largest)])
        labels.append((cx, cy, feature["properties"]["name"], share > 0.6))
    pdf.set_font(FONT_FAMILY, "", 5)
    for cx, cy, name, dark in labels:
        pdf.set_text_color(*((255, 255, 255) if dark else (40, 40, 40)))
        pdf.text(cx - pdf.get_string_width(name) / 2, cy + 1, name)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def dashboard_pdf(dashboard: Dashboard) -> bytes:
    pdf = new_document(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.cell(0, 10, _title(dashboard), new_x="LMARGIN", new_y="NEXT")
    if dashboard.boundaries.matched:
        pdf.set_font(FONT_FAMILY, "", 9)
        top = max((d["value"] for d in dashboard.map_data() if d["value"] is not None), default=0)
        caption = _("Map coloured by %(figure)s (lightest: 0, darkest: %(top)s)") % {
            "figure": dashboard.chosen.label,
            "top": f"{top:g}{dashboard.chosen.unit}",
        }
        pdf.cell(0, 6, caption, new_x="LMARGIN", new_y="NEXT")
        draw_map(pdf, dashboard, pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.l_margin - pdf.r_margin, 160)
        pdf.add_page()
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
