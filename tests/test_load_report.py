"""benchmarks/load_report.py: locust's CSV statistics become BENCHMARKS.md's load tables."""

from __future__ import annotations

from pathlib import Path

from benchmarks.load_report import render, write

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def stats(tmp_path: Path, *rows: str) -> str:
    prefix = str(tmp_path / "locust")
    Path(prefix + "_stats.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return prefix


def row(kind: str, name: str, count: int, failures: int, p50: int, p95: int, p99: int) -> str:
    return f"{kind},{name},{count},{failures},{p50},{p50},1,{p99},100,1.0,0.0,{p50},0,0,0,0,{p95},0,{p99},0,0,{p99}"


def test_pages_are_held_to_the_targets_and_password_checks_are_not(tmp_path: Path) -> None:
    prefix = stats(
        tmp_path,
        row("GET", "home", 100, 0, 60, 120, 250),
        row("GET", "half-year page", 50, 0, 200, 400, 900),
        row("GET", "deposit list", 50, 2, 40, 80, 100),
        row("POST", "sign-in (POST)", 20, 0, 300, 900, 1200),
        row("", "Aggregated", 220, 2, 80, 500, 1100),
    )
    Path(prefix + "_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nGET,deposit list,HTTPError('502'),2\n", encoding="utf-8"
    )
    table = render(prefix, "make load")
    assert "| GET home | 100 | 0 | 60 | 120 | 250 | 250 | met |" in table
    assert "| GET half-year page | 50 | 0 | 200 | 400 | 900 | 900 | **missed** |" in table
    assert "| GET deposit list | 50 | 2 |" in table and table.count("**missed**") == 2  # errors miss too
    assert "| POST sign-in (POST) | 20 | 0 | 300 | 900 | 1,200 | 1,200 | (no page target) |" in table
    assert "| all requests | 220 | 2 |" in table
    assert "- GET deposit list: HTTPError('502') (2x)" in table


def test_a_run_replaces_its_own_section_only(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nearlier text\n", encoding="utf-8")
    write(doc, "first 200\n", "200 users")
    write(doc, "first 50\n", "50 users")
    write(doc, "second 200\n", "200 users")
    text = doc.read_text(encoding="utf-8")
    assert "earlier text" in text and "first 50" in text and "second 200" in text
    assert "first 200" not in text and text.count("### 200 users") == 1
    assert text.index("second 200") < text.index("first 50")  # replaced in place
