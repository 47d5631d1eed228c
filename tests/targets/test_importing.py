"""Import of seed 003's Shaoxing table: the exact annex, and every way it can be wrong."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from shangmi.targets.importing import classify_header, targets_import
from shangmi.targets.models import Metric, Target
from shangmi.targets.services import SHAOXING_COLUMNS, Column
from tests.targets.conftest import SEED_ROWS, SEED_TOTAL, write_seed_xlsx

ZONE, STATION_PROVINCIAL, STATION_LOCAL, COACHING = SHAOXING_COLUMNS


def minimums(year: int = 2023) -> dict[tuple[str, Column], int]:
    return {(t.region.name, Column.of(t)): t.minimum for t in Target.objects.filter(year=year).select_related("region")}


def test_headers_are_read_from_their_words() -> None:
    assert classify_header("省级商业秘密保护示范区") == ZONE
    assert classify_header(" 省级商业秘密保护\u3000示范站（点） ") == STATION_PROVINCIAL
    assert classify_header("市、县级商业秘密保护示范站(点)") == STATION_LOCAL
    assert STATION_LOCAL.levels == "municipal,county"
    assert classify_header("企业商业秘密\n保护专项辅导") == COACHING
    assert classify_header("区、县(市)") is None
    assert classify_header("全市商业秘密保护示范单位培育指标分解") is None
    # The export writes back the seed's own headers.
    assert [c.label_zh for c in SHAOXING_COLUMNS] == [
        "省级商业秘密保护示范区",
        "省级商业秘密保护示范站(点)",
        "市、县级商业秘密保护示范站(点)",
        "企业商业秘密保护专项辅导",
    ]


def test_the_seed_table_creates_six_by_four_targets(shaoxing: Any, tmp_path: Path) -> None:
    path = write_seed_xlsx(tmp_path / "附件1.xlsx")
    result = targets_import(path=path, region=shaoxing.city, year=2023, user=shaoxing.city_regulator)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (24, 0, 0)
    got = minimums()
    assert len(got) == 24
    for name, *values in SEED_ROWS:
        district = shaoxing.districts[name].name
        assert [got[(district, column)] for column in SHAOXING_COLUMNS] == values
    sums = [sum(got[(d.name, column)] for d in shaoxing.districts.values()) for column in SHAOXING_COLUMNS]
    assert sums == SEED_TOTAL[1:] == [1, 5, 42, 120]
    target = Target.objects.get(region=shaoxing.yuecheng, year=2023, **STATION_LOCAL.target_filter())
    assert target.deadline == datetime.date(2023, 9, 30)  # seed 003: lists due by 30 September
    assert target.updated_by == shaoxing.city_regulator
    assert Target.objects.filter(metric=Metric.COACHING, demo_type="", levels="").count() == 6


def test_reimport_updates_minimums_and_keeps_history(shaoxing: Any, tmp_path: Path) -> None:
    targets_import(path=write_seed_xlsx(tmp_path / "a.xlsx"), region=shaoxing.city, year=2023)
    again = targets_import(path=write_seed_xlsx(tmp_path / "b.xlsx"), region=shaoxing.city, year=2023)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 24)

    rows = [list(r) for r in SEED_ROWS]
    rows[0][3] = 9  # 越城: 9 municipal/county stations instead of 7
    changed = targets_import(
        path=write_seed_xlsx(tmp_path / "c.xlsx", rows=rows, total=["合计", 1, 5, 44, 120]),
        region=shaoxing.city,
        year=2023,
    )
    assert changed.errors == []
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 23)
    target = Target.objects.get(region=shaoxing.yuecheng, year=2023, **STATION_LOCAL.target_filter())
    assert target.minimum == 9
    assert [h.minimum for h in target.history.order_by("history_date")] == [7, 9]


def _errors(result: Any) -> dict[int, str]:
    return {e.row: e.message for e in result.errors}


def test_wrong_total_is_reported_on_its_row_and_nothing_is_saved(shaoxing: Any, tmp_path: Path) -> None:
    path = write_seed_xlsx(tmp_path / "t.xlsx", total=["合计", 1, 5, 40, 120])
    result = targets_import(path=path, region=shaoxing.city, year=2023)
    # Title (1), 单位 (2), header (3), six districts (4-9), 合计 on row 10.
    assert list(_errors(result)) == [10]
    message = _errors(result)[10]
    assert "合计" in message and "40" in message and "42" in message and "市、县级商业秘密保护示范站(点)" in message
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("change", "row", "words"),
    [
        (lambda rows: rows[2].__setitem__(0, "鉴湖"), 6, ["鉴湖", "绍兴市"]),
        (lambda rows: rows[1].__setitem__(2, -1), 5, ["-1"]),
        (lambda rows: rows[1].__setitem__(2, "一个"), 5, ["一个"]),
        (lambda rows: rows[5].__setitem__(0, "越城区"), 9, ["越城区", "4"]),
    ],
    ids=["unknown district", "negative number", "not a number", "duplicate district"],
)
def test_bad_rows_are_reported_by_row_and_nothing_is_saved(
    shaoxing: Any, tmp_path: Path, change: Any, row: int, words: list[str]
) -> None:
    rows = [list(r) for r in SEED_ROWS]
    change(rows)
    # No 合计 row: each case shows only its own error.
    path = write_seed_xlsx(tmp_path / "bad.xlsx", rows=rows, total=None)
    result = targets_import(path=path, region=shaoxing.city, year=2023)
    errors = _errors(result)
    assert list(errors) == [row], errors
    for word in words:
        assert word in errors[row]
    assert not result.ok and "Nothing was imported" in result.message
    assert not Target.objects.exists()


def test_every_bad_row_is_reported_at_once(shaoxing: Any, tmp_path: Path) -> None:
    rows = [list(r) for r in SEED_ROWS]
    rows[0][0] = "鉴湖"
    rows[3][4] = -5
    rows[5][0] = "柯桥"
    result = targets_import(path=write_seed_xlsx(tmp_path / "x.xlsx", rows=rows), region=shaoxing.city, year=2023)
    assert sorted(_errors(result)) == [4, 7, 9]
    assert not Target.objects.exists()


def test_districts_resolve_only_inside_the_chosen_region(shaoxing: Any, world: Any, tmp_path: Path) -> None:
    rows = [list(r) for r in SEED_ROWS]
    rows[0][0] = "江北区"  # a district of Chongqing
    result = targets_import(path=write_seed_xlsx(tmp_path / "y.xlsx", rows=rows), region=shaoxing.city, year=2023)
    assert list(_errors(result)) == [4]
    # Full names and codes work as well as the table's short names.
    rows[0][0] = "浙江省绍兴市越城区"
    rows[1][0] = "330603"
    ok = targets_import(path=write_seed_xlsx(tmp_path / "z.xlsx", rows=rows), region=shaoxing.city, year=2023)
    assert ok.errors == [] and ok.created == 24


def test_the_province_may_import_the_city_table_at_district_level(shaoxing: Any, tmp_path: Path) -> None:
    result = targets_import(path=write_seed_xlsx(tmp_path / "p.xlsx"), region=shaoxing.province, year=2023)
    assert result.errors == []
    assert set(Target.objects.values_list("region__parent_id", flat=True)) == {"330600"}


def test_a_regulator_imports_only_inside_their_region(shaoxing: Any, world: Any, tmp_path: Path) -> None:
    path = write_seed_xlsx(tmp_path / "s.xlsx")
    for user in (world.regulator_in, shaoxing.yuecheng_regulator, world.ent_admin_in):
        result = targets_import(path=path, region=shaoxing.city, year=2023, user=user)
        assert [e.row for e in result.errors] == [0]
        assert "绍兴市" in result.errors[0].message
    assert not Target.objects.exists()
    assert targets_import(path=path, region=shaoxing.city, year=2023, user=shaoxing.province_regulator).ok


def test_csv_in_gb18030_with_dry_run(shaoxing: Any, tmp_path: Path) -> None:
    lines = ["全市商业秘密保护示范单位培育指标分解", "单位:个", ",".join(h.replace("\n", "") for h in SEED_CSV_HEADER)]
    lines += [",".join(str(v) for v in row) for row in SEED_ROWS]
    lines += [",".join(str(v) for v in SEED_TOTAL)]
    path = tmp_path / "附件1.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))

    dry = targets_import(path=path, region=shaoxing.city, year=2023, dry_run=True)
    assert dry.errors == [] and dry.created == 24 and "nothing written" in dry.message
    assert not Target.objects.exists()
    done = targets_import(path=path, region=shaoxing.city, year=2023, deadline=datetime.date(2023, 8, 31))
    assert done.created == 24
    assert set(Target.objects.values_list("deadline", flat=True)) == {datetime.date(2023, 8, 31)}


SEED_CSV_HEADER = [
    "区、县(市)",
    "省级商业秘密保护示范区",
    "省级商业秘密保护示范站(点)",
    "市、县级商业秘密保护示范站(点)",
    "企业商业秘密保护专项辅导",
]


def test_a_file_without_a_header_row(shaoxing: Any, tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text("越城,1,0,7,20\n柯桥,0,1,7,20\n", encoding="utf-8")
    result = targets_import(path=path, region=shaoxing.city, year=2023)
    assert [e.row for e in result.errors] == [0]
    assert "header" in result.errors[0].message
    assert not Target.objects.exists()


def test_command(shaoxing: Any, tmp_path: Path, capsys: Any) -> None:
    path = write_seed_xlsx(tmp_path / "c.xlsx")
    call_command("import_targets", str(path), "--region", "330600", "--year", "2023", "--dry-run")
    assert not Target.objects.exists()
    call_command("import_targets", str(path), "--region", "330600", "--year", "2023")
    assert Target.objects.filter(year=2023).count() == 24
    assert "24 created" in capsys.readouterr().out

    bad = write_seed_xlsx(tmp_path / "bad.xlsx", total=["合计", 2, 5, 42, 120])
    with pytest.raises(CommandError):
        call_command("import_targets", str(bad), "--region", "330600", "--year", "2024")
    assert "bad.xlsx:10:" in capsys.readouterr().err
    assert not Target.objects.filter(year=2024).exists()
    with pytest.raises(CommandError, match="no user"):
        call_command("import_targets", str(path), "--region", "330600", "--year", "2024", "--user", "nobody")


def test_an_empty_cell_sets_no_target_and_a_given_deadline_is_applied(shaoxing: Any, tmp_path: Path) -> None:
    rows = [list(r) for r in SEED_ROWS]
    rows[0][1] = ""  # 越城: no zone target this year
    rows[0][4] = "—"
    result = targets_import(
        path=write_seed_xlsx(tmp_path / "e.xlsx", rows=rows, total=["合计", 0, 5, 42, 100]),
        region=shaoxing.city,
        year=2023,
    )
    assert result.errors == [] and result.created == 22
    assert not Target.objects.filter(region=shaoxing.yuecheng, metric=Metric.COACHING).exists()

    # Without a deadline a re-import keeps the targets' own; with one it sets it everywhere.
    Target.objects.filter(region=shaoxing.keqiao).update(deadline=None)
    same = targets_import(path=write_seed_xlsx(tmp_path / "f.xlsx"), region=shaoxing.city, year=2023)
    assert (same.created, same.updated, same.unchanged) == (2, 0, 22)
    assert Target.objects.filter(deadline=None).count() == 4
    dated = targets_import(
        path=write_seed_xlsx(tmp_path / "g.xlsx"), region=shaoxing.city, year=2023, deadline=datetime.date(2023, 9, 1)
    )
    assert dated.updated == 24
    assert set(Target.objects.values_list("deadline", flat=True)) == {datetime.date(2023, 9, 1)}
