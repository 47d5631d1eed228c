"""How long a survey's numbers, report and spreadsheet take at scale (no test: a measurement).

    .venv/bin/python -m benchmarks.surveys --size 10000          # fresh SQLite in var/bench/surveys
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.surveys --size 10000 --keep-db

``build_synthetic_survey(n)`` makes a province-wide baseline survey of n generated enterprises
(shangmi.demo.scale) with about 90% of them answering, plausibly; ``measure_survey(survey)``
times the aggregation (and counts its queries), the report PDF with its charts, the
spreadsheet and ``awareness_counts``. The benchmark runner can import both; run as a module, it
sets up its own database first (migrate, regions, tags, baseline) and prints JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from shangmi.core.calendar import program_today, program_year

ROOT = Path(__file__).resolve().parents[1]
BATCH = 5000


def build_synthetic_survey(
    n_enterprises: int, *, province: str = "500000", seed: int = 1, answer_share: float = 0.9
) -> Any:
    """A baseline survey of ``province`` asking ``n_enterprises`` generated enterprises.

    Needs the regions, the tags and a database without other enterprises in ``province`` (or
    they are asked too). Answers go in with bulk_create: this builds data, it does not measure
    the answer page.
    """
    from django.db import transaction
    from django.utils import timezone

    from shangmi.accounts.models import User
    from shangmi.core.roles import Role
    from shangmi.demo.scale import scale_data_generate
    from shangmi.surveys import services
    from shangmi.surveys.loading import baseline
    from shangmi.surveys.models import Answer, Survey, SurveyAssignment

    scale_data_generate(enterprises=n_enterprises, province=province, seed=seed)
    regulator, _created = User.objects.get_or_create(
        username=f"bench_surveys_{province}",
        defaults={"role": Role.REGULATOR, "region_id": province, "full_name": "市场监管局（基准）"},
    )
    questionnaire = baseline()
    survey: Survey = services.survey_issue(
        regulator,
        services.SurveyInput(
            questionnaire=questionnaire,
            title=f"基准调研 {n_enterprises} 家企业",
            deadline=program_today(),
            region=regulator.region,
        ),
    )
    questions = list(questionnaire.questions.all())
    rng = random.Random(seed)
    now = timezone.now()
    assignments = list(SurveyAssignment.objects.filter(survey=survey).only("pk"))
    answering = [a for a in assignments if rng.random() < answer_share]
    rows: list[Answer] = []
    with transaction.atomic():
        for assignment in answering:
            # District offices are uneven: each enterprise knows the law to its own degree.
            knows = rng.uniform(0.55, 1.0)
            for question in questions:
                value = _synthetic_value(rng, question, knows)
                if value is not None:
                    rows.append(Answer(assignment_id=assignment.pk, question_id=question.pk, value=value))
            assignment.answered_at = now
            if len(rows) >= BATCH:
                Answer.objects.bulk_create(rows)
                rows = []
        Answer.objects.bulk_create(rows)
        SurveyAssignment.objects.bulk_update(answering, ["answered_at"], batch_size=BATCH)
    return survey


def _synthetic_value(rng: random.Random, question: Any, knows: float) -> Any:
    kind, metric = question.kind, question.metric
    if metric == "trade_secrets":
        return int(rng.expovariate(1 / 8))
    if metric == "patents":
        return int(rng.expovariate(1 / 12))
    if kind == "percent":
        return round(min(100.0, max(0.0, rng.gauss(75 if metric == "nda_rate" else 35, 25))), 1)
    if kind == "yes_no":
        return rng.random() < 0.7
    if metric == "awareness":
        if rng.random() < knows:
            return question.correct
        right = set(question.correct) if isinstance(question.correct, list) else {question.correct}
        wrong = [c["value"] for c in question.choices if c["value"] not in right]
        return rng.choice(wrong) if kind == "single" else [rng.choice(wrong)]
    if kind == "multiple":
        return [c["value"] for c in question.choices if rng.random() < 0.5] or None
    if kind == "text":
        return rng.choice([None, None, "希望开展商业秘密保护培训", "需要保密制度模板"])
    return None


def _timed(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = action()
    return value, round(time.perf_counter() - started, 3)


def measure_survey(survey: Any, repeat: int = 3) -> dict[str, Any]:
    """Seconds (best of ``repeat``) for each step on ``survey``, plus sizes and query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shangmi.regions.models import Region
    from shangmi.surveys import services
    from shangmi.surveys.aggregation import awareness_counts, survey_results
    from shangmi.surveys.exporting import answers_export
    from shangmi.surveys.models import Answer, Survey
    from shangmi.surveys.report import report_pdf, survey_report

    if survey.status != Survey.Status.CLOSED:
        survey = services.survey_close(survey.issued_by, survey)
    survey = Survey.objects.select_related("questionnaire", "region", "issued_by").get(pk=survey.pk)
    out: dict[str, Any] = {
        "enterprises": survey.assignments.count(),
        "answered": survey.assignments.filter(answered_at__isnull=False).count(),
        "answers": Answer.objects.filter(assignment__survey=survey).count(),
    }

    def best(action: Any) -> tuple[Any, float]:
        runs = [_timed(action) for _ in range(repeat)]
        return runs[-1][0], min(seconds for _value, seconds in runs)

    with CaptureQueriesContext(connection) as queries:
        results = survey_results(survey)
    out["aggregate_queries"] = len(queries)
    results, out["aggregate_s"] = best(lambda: survey_results(survey))
    pdf, out["report_pdf_s"] = best(lambda: report_pdf(results))
    out["report_bytes"] = len(pdf)
    _pdf, out["report_total_s"] = best(lambda: survey_report(survey))  # aggregation + PDF, as the page does

    def xlsx() -> int:
        buffer = io.BytesIO()
        answers_export(survey, buffer)
        return len(buffer.getvalue())

    out["xlsx_bytes"], out["xlsx_s"] = best(xlsx)
    codes = [survey.region_id, *Region.objects.filter(parent=survey.region).values_list("code", flat=True)]
    year = program_year()
    with CaptureQueriesContext(connection) as queries:
        counts = awareness_counts(codes, year)
    out["awareness_counts_queries"] = len(queries)
    _counts, out["awareness_counts_s"] = best(lambda: awareness_counts(codes, year))
    out["awareness_counts_regions"] = len(codes)
    out["awareness_rate"] = round(results.total.awareness_rate or 0.0, 1)
    out["province_counts"] = counts[survey.region_id]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--province", default="500000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true", help="use DATABASE_URL as it is (no fresh SQLite)")
    args = parser.parse_args()

    if not args.keep_db:
        workdir = ROOT / "var" / "bench" / "surveys"
        workdir.mkdir(parents=True, exist_ok=True)
        db = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    os.environ.setdefault("SHANGMI_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SHANGMI_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shangmi.enterprises.tags import tags_load
    from shangmi.regions.services import regions_load

    call_command("migrate", verbosity=0, interactive=False)
    regions_load()
    tags_load()
    survey, build_s = _timed(lambda: build_synthetic_survey(args.size, province=args.province))
    figures = {"vendor": connection.vendor, "size": args.size, "build_s": build_s}
    figures.update(measure_survey(survey, repeat=args.repeat))
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
