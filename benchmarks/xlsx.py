"""Import and export of 100,000 rows, against the bare reader (calamine) and writer (xlsxwriter)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from shangmi.demo.scale import BUSINESSES, FORMS, STREETS, TRADE_NAMES, short_name
from shangmi.enterprises.uscc import make_uscc
from shangmi.regions.models import Park, Region

# Organisation-code bodies of the rows the import benchmark creates (the scale data uses 30,000,000+).
IMPORT_SERIAL_BASE = 40_000_000


def import_headers() -> list[str]:
    """The template's column headers, in order, as the importing module defines them."""
    from shangmi.enterprises import importing

    headers = getattr(importing, "HEADERS_ZH", None)
    if headers:
        return list(headers)
    # Fall back to the first row of the template the module writes.
    from python_calamine import CalamineWorkbook

    path = Path(os.environ.get("SHANGMI_VAR_DIR", "var")) / "bench" / "template.xlsx"
    importing.write_import_template(path)
    return [str(c) for c in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0] if c]


def write_import_file(path: Path, *, rows: int, province: str, seed: int = 7) -> dict[str, Any]:
    """``rows`` new enterprises (fresh USCCs) of the province's districts, in the template's columns."""
    import xlsxwriter

    from shangmi.enterprises.models import Tag

    headers = import_headers()
    root = Region.objects.get(code=province)
    districts = list(Region.objects.filter(path__startswith=root.path, level=Region.Level.DISTRICT).order_by("code"))
    parks: dict[str, list[str]] = {}
    for region_id, name in Park.objects.filter(region__in=districts).values_list("region_id", "name"):
        parks.setdefault(region_id, []).append(name)
    tag_names = list(Tag.objects.values_list("name_zh", flat=True))
    rng = random.Random(seed)
    prefix = short_name(root.name)
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("企业名录")
    sheet.write_row(0, 0, headers)
    for i in range(rows):
        district = rng.choice(districts)
        words, industry, scale = rng.choice(BUSINESSES)
        district_parks = parks.get(district.code)
        value = {
            "企业名称": f"{prefix}{short_name(district.name)}{rng.choice(TRADE_NAMES)}{words}{rng.choice(FORMS)}",
            "统一社会信用代码": make_uscc(district.code, IMPORT_SERIAL_BASE + i),
            "所属区域": district.full_name,
            "所属园区": rng.choice(district_parks) if district_parks and rng.random() < 0.3 else "",
            "行业门类": industry,
            "职工人数": max(1, int(rng.lognormvariate(0, 1) * scale)),
            "标签": "、".join(t for t in tag_names if rng.random() < 0.05),
            "地址": f"{district.full_name}{rng.choice(STREETS)}路{rng.randint(1, 999)}号",
            "联系人": "张" + rng.choice("伟芳敏静强磊军"),
            "联系电话": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            "联系邮箱": f"contact{i}@example.com" if rng.random() < 0.3 else "",
            "是否联络点": "是" if rng.random() < 0.03 else "否",
        }
        sheet.write_row(i + 1, 0, [value.get(h, "") for h in headers])
    workbook.close()
    return {"rows": rows, "columns": headers, "write_s": round(time.perf_counter() - started, 2)}


def calamine_read(path: Path) -> float:
    """Seconds for python_calamine's bare read of the first sheet."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    elapsed = time.perf_counter() - started
    assert len(rows) > 1
    return elapsed


def bench_import(*, path: Path, username: str, rows: int) -> dict[str, Any]:
    """Run enterprise_import in a child process (for its peak memory); compare with calamine's read."""
    bare = min(calamine_read(path) for _ in range(3))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_child", str(path), username],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout)[-3000:]}
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    seconds = child["seconds"]
    return {
        **child,
        "rows": rows,
        "rows_per_s": round(rows / seconds),
        "calamine_read_s": round(bare, 3),
        "calamine_rows_per_s": round(rows / bare),
        "ratio_to_calamine": round(seconds / bare, 1),
    }


def bench_export(*, queryset: Any, path: Path) -> dict[str, Any]:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from shangmi.enterprises.exporting import enterprises_export

    started = time.perf_counter()
    count = enterprises_export(queryset=queryset, target=path)
    seconds = time.perf_counter() - started
    # The floor: xlsxwriter alone writing the very same values (read back from the export).
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    floor_path = path.with_name("export-floor.xlsx")
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(floor_path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("企业名录")
    for r, row in enumerate(values):
        sheet.write_row(r, 0, row)
    workbook.close()
    floor = time.perf_counter() - started
    return {
        "rows": count,
        "seconds": round(seconds, 2),
        "rows_per_s": round(count / seconds),
        "xlsxwriter_floor_s": round(floor, 2),
        "xlsxwriter_rows_per_s": round((len(values) - 1) / floor),
        "ratio_to_floor": round(seconds / floor, 1),
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }
