"""Score a set of met items against a loaded standard, with the same function as the pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.standards.models import Standard
from shangmi.standards.scoring import ScoreResult, StandardSpec, score, spec_of
from shangmi.standards.selectors import standard_get
from shangmi.standards.spec import format_points


class Command(BaseCommand):
    help = "Score met item codes against a standard: score_standard cq-creation --met 1.1.a,4.1.c [--json]"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # "--version" names the standard's version here, as the documents do; it replaces
        # Django's own --version (which prints Django's).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the standard's code, e.g. cq-creation")
        parser.add_argument("--version", dest="standard_version", help="the version (default: the latest)")
        parser.add_argument("--met", default="", help="comma-separated item codes that are met, e.g. 1.1.a,4.1.c")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            standard = standard_get(options["code"], options["standard_version"])
        except Standard.DoesNotExist as exc:
            raise CommandError(str(exc)) from exc
        spec = spec_of(standard)
        met = [code.strip() for code in options["met"].split(",") if code.strip()]
        try:
            result = score(spec, met)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            payload = {"standard": spec.code, "version": spec.version, "met": sorted(set(met)), **result.as_dict()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(spec, result))


def render_table(spec: StandardSpec, result: ScoreResult) -> str:
    """A plain-text table: each category and criterion with what it earned of its points."""
    lines = [f"{spec.title} ({spec.code} {spec.version})", ""]
    for category in result.categories:
        bonus = " [bonus]" if category.is_bonus else ""
        # A conditions category counts conditions met out of its conditions.
        points = category.points if category.points is not None else Decimal(len(category.criteria))
        lines.append(f"{category.number:>2} {category.title}{bonus}  {_of(category.earned, points)}")
        for criterion in category.criteria:
            met = ", ".join(criterion.met) or "-"
            title = _shorten(criterion.title)
            lines.append(f"   {criterion.code:<5} {_of(criterion.earned, criterion.points):>12}  {title}  met: {met}")
    lines.append("")
    p = format_points
    if spec.has_points:
        lines.append(
            f"base {p(result.base)}  bonus {p(result.bonus)}  raw {p(result.raw_total)}  "
            f"total {p(result.total)} / {p(result.maximum)}"
        )
    else:
        lines.append(f"conditions met {p(result.total)} / {p(result.maximum)}")
    if result.passed is not None:
        lines.append("passed" if result.passed else "not passed")
    return "\n".join(lines)


def _shorten(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _of(earned: Decimal, points: Decimal | None) -> str:
    if points is None:  # a pass/fail condition
        return "met" if earned else "not met"
    return f"{format_points(earned)} / {format_points(points)}"
