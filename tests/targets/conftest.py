"""Shaoxing (seed 003) for the targets tests: its districts, its regulators, the annex table
written as a real .xlsx, and applications made with the ORM."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shangmi.core.roles import Role
from shangmi.creation.models import Application, Round
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Region
from tests.conftest import make_enterprise, make_user

# Annex 1 of seed 003, as printed.
SEED_HEADER = [
    "区、县（市）",
    "省级商业秘密保护示范区",
    "省级商业秘密保护\u3000示范站（点）",
    "市、县级商业秘密保护示范站(点)",
    "企业商业秘密\n保护专项辅导",
]
SEED_ROWS: list[list[Any]] = [
    ["越城", 1, 0, 7, 20],
    ["柯桥", 0, 1, 7, 20],
    ["上虞", 0, 1, 7, 20],
    ["诸暨", 0, 1, 7, 20],
    ["新昌", 0, 1, 7, 20],
    ["嵊州", 0, 1, 7, 20],
]
SEED_TOTAL: list[Any] = ["合计", 1, 5, 42, 120]
SEED_NOTE = "备注:1.各区、县(市)辅导服务企业数含培育数;2.下达的培育任务是各地要完成的最低目标数。"
DISTRICTS = {
    "越城": "330602",
    "柯桥": "330603",
    "上虞": "330604",
    "新昌": "330624",
    "诸暨": "330681",
    "嵊州": "330683",
}


def write_seed_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]] = SEED_ROWS,
    total: Sequence[Any] | None = SEED_TOTAL,
    header: Sequence[str] = SEED_HEADER,
) -> Path:
    """The annex as a bureau would type it: a merged title and 单位:个 above the header, stray
    spaces around names, full-width characters, notes below."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("附件1")
    width = len(header) - 1
    sheet.merge_range(0, 0, 0, width, "全市商业秘密保护示范单位\n培育指标分解")
    sheet.merge_range(1, 0, 1, width, "单位:个")
    sheet.write_row(2, 0, header)
    index = 3
    for row in rows:
        sheet.write_row(index, 0, [f" {row[0]}\u3000" if isinstance(row[0], str) else row[0], *row[1:]])
        index += 1
    if total is not None:
        sheet.write_row(index, 0, total)
        index += 1
    sheet.merge_range(index, 0, index, width, SEED_NOTE)
    workbook.close()
    return path


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are checked in their English source form (the catalogue comes later)."""
    from django.utils import translation

    with translation.override("en"):
        yield


class Shaoxing:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.province = Region.objects.get(code="330000")
        self.city = Region.objects.get(code="330600")
        self.districts = {short: Region.objects.get(code=code) for short, code in DISTRICTS.items()}
        self.yuecheng = self.districts["越城"]
        self.keqiao = self.districts["柯桥"]
        self.shangyu = self.districts["上虞"]
        self.province_regulator = make_user("zj_regulator", Role.REGULATOR, region=self.province)
        self.city_regulator = make_user("sx_regulator", Role.REGULATOR, region=self.city)
        self.yuecheng_regulator = make_user("yc_regulator", Role.REGULATOR, region=self.yuecheng)
        self.keqiao_regulator = make_user("kq_regulator", Role.REGULATOR, region=self.keqiao)
        self._serial = 100

    def enterprise(self, region: Region, name: str) -> Enterprise:
        self._serial += 1
        return make_enterprise(region.code, name, self._serial)


@pytest.fixture
def shaoxing(world: Any) -> Shaoxing:
    return Shaoxing(world)


def standard() -> Any:
    from shangmi.standards.models import Standard

    return Standard.objects.get_or_create(
        code="targets-standard",
        version="1",
        defaults={
            "title": "targets standard",
            "kind": Standard.Kind.POINTS,
            "max_total": 100,
            "content_sha256": "0" * 64,
        },
    )[0]


def make_round(year: int, demo_type: str, level: str, region: Region, creator: Any) -> Round:
    return Round.objects.create(
        title=f"{year} {level} {demo_type} {region.code}",
        year=year,
        demo_type=demo_type,
        level=level,
        standard=standard(),
        region=region,
        deadline=datetime.date(year, 9, 30),
        created_by=creator,
    )


def apply(
    round_: Round,
    region: Region,
    status: str = Application.Status.DRAFT,
    *,
    enterprise: Enterprise | None = None,
    submitted: bool | None = None,
) -> Application:
    """An application of an enterprise (or, without one, of a park-like applicant) in ``region``."""
    if submitted is None:
        submitted = status not in (Application.Status.DRAFT,)
    return Application.objects.create(
        round=round_,
        standard=round_.standard,
        applicant_kind=Application.ApplicantKind.ENTERPRISE if enterprise else Application.ApplicantKind.PARK,
        enterprise=enterprise,
        region=region,
        applicant_name=enterprise.name if enterprise else f"applicant in {region.name}",
        status=status,
        submitted_at=timezone.now() if submitted else None,
        created_by=round_.created_by,
    )
