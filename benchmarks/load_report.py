"""Turn a locust run's CSV statistics into the load section of BENCHMARKS.md.

python -m benchmarks.load_report STATS_PREFIX --command "make load" [--write BENCHMARKS.md]

STATS_PREFIX is locust's --csv prefix: PREFIX_stats.csv (one row per request name, with its
percentiles) and PREFIX_failures.csv. The table has p50/p95/p99, requests and errors per page,
against the issue's target (0 errors; a page's p99 under 300 ms at 200 users). Sign-in and the
API token are shown but held to no page target: they check a password on purpose slowly
(shangmi.accounts.hashers). With --write, the section of the run named --tag in the file (between
its two markers) is replaced, or appended when the file has none; without, it is printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
from pathlib import Path

PAGE_P99_MS = 300
# Requests that are not pages: a password check (slow by design) or the floor itself.
NOT_PAGES = ("sign-in (POST)", "API token", "/health/ (floor)")


def _ms(value: str) -> str:
    return "—" if value in ("", "N/A") else f"{float(value):,.0f}"


def rows(prefix: str) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def failures(prefix: str) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def render(prefix: str, command: str, note: str = "") -> str:
    stats = rows(prefix)
    lines = [
        f"Command: `{command}`; finished {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average at the end {os.getloadavg()[0]:.1f} (1 min).",
    ]
    if note:
        lines += ["", note]
    lines += [
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms | p99 < 300 ms, 0 errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    total = None
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
            continue
        name = row["Name"]
        if name in NOT_PAGES:
            verdict = "(no page target)"
        else:
            p99 = row["99%"]
            met = p99 not in ("", "N/A") and float(p99) < PAGE_P99_MS and row["Failure Count"] == "0"
            verdict = "met" if met else "**missed**"
        lines.append(
            f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | {_ms(row['50%'])} | "
            f"{_ms(row['95%'])} | {_ms(row['99%'])} | {_ms(row['Max Response Time'])} | {verdict} |"
        )
    if total is not None:
        lines.append(
            f"| all requests | {total['Request Count']} | {total['Failure Count']} | {_ms(total['50%'])} | "
            f"{_ms(total['95%'])} | {_ms(total['99%'])} | {_ms(total['Max Response Time'])} | |"
        )
    errors = failures(prefix)
    if errors:
        lines += ["", "Errors:", ""]
        lines += [f"- {e['Method']} {e['Name']}: {e['Error']} ({e['Occurrences']}x)" for e in errors]
    return "\n".join(lines) + "\n"


def write(path: Path, section: str, tag: str) -> None:
    """Replace the run named ``tag`` (its markers) in ``path``, or append it at the end."""
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- load-report {tag} -->", f"<!-- /load-report {tag} -->"
    block = f"{start}\n### {tag}\n\n{section}{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("--command", required=True)
    parser.add_argument("--note", default="")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--tag", default="200 users", help="the run's name: its heading and markers in the file")
    args = parser.parse_args()
    section = render(args.prefix, args.command, args.note)
    if args.write:
        write(args.write, section, args.tag)
    print(section)


if __name__ == "__main__":
    main()
