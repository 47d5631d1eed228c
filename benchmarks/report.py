"""The machine description and the readable table."""

from __future__ import annotations

import os
import platform
from typing import Any

import benchmarks as bench


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
            mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": mem_gb,
        "cpu": cpu,
        "system": platform.platform(),
        # Other work on the machine skews every figure: say how busy it was.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def render(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"Shangmi benchmark, {report['size']:,} enterprises — {m['cpus']} CPUs, {m['memory_gb']} GB, "
        f"{m['cpu']}, Python {report['python']}; load average at start {m['load_average']}, "
        f"at end {report.get('load_average_end')}",
        "",
    ]
    for db, r in report["results"].items():
        if "error" in r:
            lines.append(f"{db}: FAILED ({r['error']})")
            continue
        lines.append(
            f"== {db} {r.get('db_version', '')}: {r['enterprises']:,} enterprises generated in {r['generate_s']} s =="
        )
        if "list" in r:
            lines.append(
                f"  {'list page':<16} {'matches':>8} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'raw p50':>8} {'raw p95':>8} {'ratio95':>8} {'>empty':>7}  target (p95<{bench.LIST_P95_MS:g} ms, "
                f"<{bench.LIST_RAW_RATIO:g}x raw)"
            )
            for case, c in r["list"].items():
                raw = c.get("raw_sql", {})
                ratio = c.get("ratio_p95")
                matches = c["matches"] if c["matches"] is not None else -1
                ok = c["page"]["p95_ms"] < bench.LIST_P95_MS and ratio is not None and ratio <= bench.LIST_RAW_RATIO
                # The empty page has no rows and no raw query to compare: it is the fixed cost.
                mark = "(fixed cost)" if case == "empty" else _mark(ok)
                lines.append(
                    f"  {case:<16} {matches:>8,} {c['queries_per_page']:>7} {c['page']['p50_ms']:>8.1f} "
                    f"{c['page']['p95_ms']:>8.1f} {raw.get('p50_ms', float('nan')):>8.1f} "
                    f"{raw.get('p95_ms', float('nan')):>8.1f} {ratio if ratio is not None else '-':>8} "
                    f"{c.get('above_empty_p95_ms', float('nan')):>7.1f}  {mark}"
                )
        if "export" in r:
            e = r["export"]
            lines.append(
                f"  export           {e['rows']:,} rows in {e['seconds']} s = {e['rows_per_s']:,} rows/s; "
                f"bare xlsxwriter {e['xlsxwriter_rows_per_s']:,} rows/s ({e['ratio_to_floor']}x); {e['file_mb']} MB"
            )
        if "import" in r:
            i = r["import"]
            if "error" in i:
                lines.append(f"  import           FAILED: {i['error'][-500:]}")
            else:
                ok = i["rows_per_s"] >= bench.IMPORT_ROWS_PER_S and i["peak_rss_mb"] < bench.IMPORT_PEAK_MB
                lines.append(
                    f"  import           {i['rows']:,} rows in {i['seconds']} s = {i['rows_per_s']:,} rows/s "
                    f"(created {i['created']:,}, errors {i['errors']}); calamine read {i['calamine_read_s']} s "
                    f"({i['ratio_to_calamine']}x); peak RSS {i['peak_rss_mb']} MB  target (>= "
                    f"{bench.IMPORT_ROWS_PER_S:,.0f} rows/s, < {bench.IMPORT_PEAK_MB:g} MB) {_mark(ok)}"
                )
        if "ledgers" in r:
            d = r["ledger_data"]
            lines.append(
                f"  ledgers          {d['guidance_visits']:,} guidance visits + {d['participants']:,} training "
                f"participants ({d['activities']:,} activities) generated in {d['generate_s']} s"
            )
            lines.append(
                f"  {'ledger page':<18} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'raw p50':>8} {'raw p95':>8} "
                f"{'ratio50':>8} {'ratio95':>8} {'replay50':>8} {'x':>5}"
            )
            for case, c in r["ledgers"].items():
                raw = c["raw_sql"]
                lines.append(
                    f"  {case:<18} {c['queries_per_page']:>7} {c['page']['p50_ms']:>8.1f} {c['page']['p95_ms']:>8.1f} "
                    f"{raw['p50_ms']:>8.1f} {raw['p95_ms']:>8.1f} {c['ratio_p50']:>8} {c['ratio_p95']:>8} "
                    f"{c['page_sql_replayed']['p50_ms']:>8.1f} {c['ratio_replayed_p50']:>5}"
                )
        if "survey_report" in r:
            sr = r["survey_report"]
            lines.append(
                f"  survey report    {sr['answered']:,} answering enterprises ({sr['answers']:,} answers): aggregate "
                f"{sr['aggregate_s']} s in {sr['aggregate_queries']} queries; PDF {sr['report_pdf_s']} s "
                f"({sr['report_bytes'] // 1024} KiB); aggregate + PDF {sr['report_total_s']} s; raw-data xlsx "
                f"{sr['xlsx_s']} s"
            )
        lines.append("")
    lines.append(f"total {report['total_s']} s")
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    """The figures as Markdown tables (for BENCHMARKS.md): python -m benchmarks.report FILE.json"""
    dbs = list(report["results"])
    res = report["results"]
    lines = [
        "| list page (50 requests each) | " + " | ".join(dbs) + " |",
        "|---|" + "---|" * len(dbs),
    ]
    cases = list(next(iter(res.values())).get("list", {}))
    for case in cases:
        cells = []
        for db in dbs:
            c = res[db]["list"][case]
            raw = c.get("raw_sql", {})
            ok = c["page"]["p95_ms"] < bench.LIST_P95_MS and (c.get("ratio_p95") or 99) <= bench.LIST_RAW_RATIO
            cells.append(
                f"{c['matches']:,} rows, {c['queries_per_page']} queries; page p50 {c['page']['p50_ms']:.1f} / "
                f"p95 {c['page']['p95_ms']:.1f} ms; raw SQL p50 {raw.get('p50_ms', 0):.1f} / p95 "
                f"{raw.get('p95_ms', 0):.1f} ms; ratio p95 {c.get('ratio_p95')}x — {_mark(ok)}"
            )
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    lines += ["", "| | " + " | ".join(dbs) + " |", "|---|" + "---|" * len(dbs)]
    rows = {
        "generate_scale_data 100k": lambda r: f"{r['generate_s']} s",
        "export rows/s": lambda r: f"{r['export']['rows_per_s']:,} ({r['export']['seconds']} s)",
        "bare xlsxwriter rows/s (floor)": lambda r: (
            f"{r['export']['xlsxwriter_rows_per_s']:,} (export takes {r['export']['ratio_to_floor']}x)"
        ),
        "import rows/s": lambda r: (
            f"{r['import']['rows_per_s']:,} ({r['import']['seconds']} s, "
            f"{r['import']['created']:,} created, {r['import']['errors']} errors)"
        ),
        "calamine bare read": lambda r: (
            f"{r['import']['calamine_read_s']} s = {r['import']['calamine_rows_per_s']:,} "
            f"rows/s (import takes {r['import']['ratio_to_calamine']}x)"
        ),
        "import peak RSS": lambda r: f"{r['import']['peak_rss_mb']} MB (before: {r['import']['rss_before_mb']} MB)",
    }
    for label, fn in rows.items():
        cells = []
        for db in dbs:
            try:
                cells.append(fn(res[db]))
            except (KeyError, TypeError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
