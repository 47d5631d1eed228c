"""The protection registers as spreadsheets: the rows of each list, filter and all."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from shangmi.core.xlsx import new_workbook
from shangmi.protection.models import Agreement, Area, Carrier, Engagement, Person, SecretPoint
from shangmi.protection.selectors import Handover


def _write(target: IO[bytes], title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(title)
    sheet.write_row(0, 0, header)
    for number, values in enumerate(rows, start=1):
        sheet.write_row(number, 0, values)
    workbook.close()


def secret_points_export(rows: Iterable[SecretPoint], target: IO[bytes]) -> None:
    header = [_("Name"), _("Type"), _("Kind of information"), _("Grade"), _("Term"), _("Owning department"),
              _("Responsible person"), _("Circle of knowledge"), _("Where it is kept"), _("Protection measures"),
              _("Status")]  # fmt: skip
    _write(
        target,
        _("Secret points"),
        header,
        (
            [
                point.name,
                point.get_category_display(),
                point.get_subject_display(),
                point.get_grade_display(),
                point.term_display(),
                point.department,
                point.responsible.name,
                "、".join(person.name for person in point.circle.all()),
                point.location,
                "；".join(point.measure_labels()),
                point.get_status_display(),
            ]
            for point in rows
        ),
    )


def people_export(rows: Iterable[Person], target: IO[bytes]) -> None:
    header = [_("Name"), _("Department"), _("Post"), _("Post category"), _("Confidentiality grade"),
              _("Hired on"), _("Left on"), _("Secret points known")]  # fmt: skip
    _write(
        target,
        _("Confidential personnel"),
        header,
        (
            [
                person.name,
                person.department,
                person.post,
                person.get_post_category_display(),
                person.get_grade_display(),
                person.hired_on.isoformat() if person.hired_on else "",
                person.left_on.isoformat() if person.left_on else "",
                getattr(person, "known", ""),
            ]
            for person in rows
        ),
    )


def agreements_export(rows: Iterable[Agreement], target: IO[bytes]) -> None:
    header = [_("Person"), _("Kind"), _("Signed on"), _("Starts on"), _("Ends on"), _("Scope"), _("Area"),
              _("Average monthly wage"), _("Monthly compensation"), _("Penalty for breach")]  # fmt: skip
    _write(
        target,
        _("Agreements"),
        header,
        (
            [
                agreement.person.name,
                agreement.get_kind_display(),
                agreement.signed_on.isoformat(),
                agreement.starts_on.isoformat(),
                agreement.ends_on.isoformat() if agreement.ends_on else "",
                agreement.scope_text,
                agreement.area,
                _money(agreement.average_monthly_wage),
                _money(agreement.monthly_compensation),
                _money(agreement.penalty),
            ]
            for agreement in rows
        ),
    )


def _money(value: Decimal | None) -> Any:
    return float(value) if value is not None else ""


def carriers_export(rows: Iterable[Carrier], target: IO[bytes]) -> None:
    header = [_("Carrier number"), _("Name"), _("Secret points"), _("Form"), _("Grade mark"), _("Custodian"),
              _("Where it is kept"), _("Copies registered"), _("Copies now"), _("Copies out")]  # fmt: skip
    _write(
        target,
        _("Carriers"),
        header,
        (
            [
                carrier.number,
                carrier.name,
                "、".join(point.name for point in carrier.secret_points.all()),
                carrier.get_form_display(),
                carrier.get_grade_mark_display(),
                carrier.custodian.name,
                carrier.location,
                carrier.copies,
                getattr(carrier, "current", ""),
                getattr(carrier, "out", ""),
            ]
            for carrier in rows
        ),
    )


def departure_export(handover: Handover, target: IO[bytes]) -> None:
    """The handover list as one sheet: what the person knows, keeps and holds, and the duties
    that continue."""
    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(_("Departure handover list"))
    bold = workbook.add_format({"bold": True})
    person = handover.person
    sheet.write_row(0, 0, [_("Departure handover list"), person.name, person.department, person.post], bold)
    row = 2
    sections: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            _("Secret points known"),
            [_("Name"), _("Grade"), _("Term"), _("Responsible person")],
            [[p.name, p.get_grade_display(), p.term_display(), p.responsible.name] for p in handover.secret_points],
        ),
        (
            _("Carriers in custody: hand over to a new custodian"),
            [_("Carrier number"), _("Name"), _("Grade mark"), _("Where it is kept"), _("Copies now")],
            [
                [c.number, c.name, c.get_grade_mark_display(), c.location, getattr(c, "current", "")]
                for c in handover.kept
            ],
        ),
        (
            _("Carriers held: return"),
            [_("Carrier number"), _("Name"), _("Grade mark"), _("Copies")],
            [[c.number, c.name, c.get_grade_mark_display(), n] for c, n in handover.held],
        ),
        (
            _("Agreements that continue"),
            [_("Kind"), _("Starts on"), _("Ends on"), _("Scope")],
            [
                [
                    a.get_kind_display(),
                    a.starts_on.isoformat(),
                    a.ends_on.isoformat() if a.ends_on else "",
                    a.scope_text,
                ]
                for a in handover.agreements
            ],
        ),
    ]
    for title, header, lines in sections:
        sheet.write(row, 0, title, bold)
        sheet.write_row(row + 1, 0, header)
        for offset, values in enumerate(lines, start=2):
            sheet.write_row(row + offset, 0, values)
        row += len(lines) + 3
    workbook.close()


def engagements_export(rows: Iterable[Engagement], target: IO[bytes]) -> None:
    header = [_("Counterparty"), _("Counterparty's credit code"), _("Kind"), _("Purpose"), _("Starts on"),
              _("Confidentiality agreement signed on"), _("Agreement number or title"), _("Secret points disclosed"),
              _("Ended on"), _("At the end")]  # fmt: skip
    _write(
        target,
        _("Business activities"),
        header,
        (
            [
                row.counterparty,
                row.counterparty_uscc,
                row.get_kind_display(),
                row.purpose,
                row.starts_on.isoformat(),
                row.agreement_signed_on.isoformat() if row.agreement_signed_on else "",
                row.agreement_ref,
                "、".join(f"{d.secret_point.name}（{d.on.isoformat()}）" for d in row.disclosures.all()),
                row.ended_on.isoformat() if row.ended_on else "",
                row.get_ending_display(),
            ]
            for row in rows
        ),
    )


def areas_export(rows: Iterable[Area], target: IO[bytes]) -> None:
    header = [_("Name"), _("Grade"), _("Access rule"), _("Who may enter"), _("Secret points kept there"),
              _("Visitors need approval"), _("Visitors are escorted")]  # fmt: skip
    yes, no = _("Yes"), _("No")
    _write(
        target,
        _("Restricted areas"),
        header,
        (
            [
                row.name,
                row.get_grade_display(),
                row.access_rule,
                "、".join(person.name for person in row.allowed.all()),
                "、".join(point.name for point in row.secret_points.all()),
                yes if row.visitor_approval else no,
                yes if row.escort_required else no,
            ]
            for row in rows
        ),
    )
