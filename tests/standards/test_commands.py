"""load_standards, score_standard, and the standards in load_reference_data."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shangmi.standards.models import Standard
from shangmi.standards.services import freeze
from tests.standards.conftest import CQ_FILE, ZJ_FILE, write_variant

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_load_standards_loads_every_data_file_then_nothing():
    first = run("load_standards")
    assert "cq-creation-2023.toml: cq-creation 2023 created" in first
    assert "zj-demo-zone-2018.toml: zj-demo-zone 2018 created" in first
    assert "unchanged" in run("load_standards", str(CQ_FILE))
    assert Standard.objects.count() == 2


def test_load_standards_reports_each_bad_file_and_still_loads_the_good_ones(tmp_path):
    bad = write_variant(tmp_path, CQ_FILE, ('code = "1.1.b"', 'code = "1.1.a"'))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 of 2 file\(s\) could not be loaded"):
        call_command("load_standards", str(bad), str(ZJ_FILE), stdout=io.StringIO(), stderr=err)
    assert "duplicate item code '1.1.a'" in err.getvalue()
    assert list(Standard.objects.values_list("code", flat=True)) == ["zj-demo-zone"]


def test_load_standards_refuses_to_change_a_frozen_version(tmp_path):
    run("load_standards")
    freeze(Standard.objects.get(code="cq-creation"))
    changed = write_variant(tmp_path, CQ_FILE, ("其他加分情况。", "其他。"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_standards", str(changed), stdout=io.StringIO(), stderr=err)
    assert "is in use" in err.getvalue()


def test_load_reference_data_loads_the_standards():
    assert "2 standards and 1 questionnaires created or updated" in run("load_reference_data")
    assert set(Standard.objects.values_list("code", flat=True)) == {"cq-creation", "zj-demo-zone"}
    assert "0 standards and 0 questionnaires created or updated" in run("load_reference_data")


def test_score_standard_prints_json(loaded):
    data = json.loads(run("score_standard", "cq-creation", "--met", "1.1.a,4.1.c,7.1.a", "--json"))
    assert (data["standard"], data["version"], data["total"], data["bonus"]) == ("cq-creation", "2023", "6.5", "1")
    assert data["met"] == ["1.1.a", "4.1.c", "7.1.a"]
    assert data["categories"][0]["criteria"][0]["met"] == ["1.1.a"]


def test_score_standard_prints_a_table(loaded):
    text = run("score_standard", "zj-demo-zone", "--met", "1.1.a, 1.2.a")
    assert "1.1" in text and "met" in text and "conditions met 2 / 6" in text and "not passed" in text
    table = run("score_standard", "cq-creation", "--met", "4.1.c")
    assert "2.5 / 15" in table and "total 2.5 / 100" in table


def test_score_standard_takes_the_latest_version_unless_told(loaded, tmp_path):
    newer = write_variant(
        tmp_path,
        CQ_FILE,
        ('version = "2023"', 'version = "2024"'),
        ('text = "单位员工受训全覆盖。"\npoints = 1', 'text = "单位员工受训全覆盖。"\npoints = 2'),
        (
            'number = 7\ntitle = "加分项"\nrequirement = "加分后总分不能超过100分。"\npoints = 5',
            'number = 7\ntitle = "加分项"\nrequirement = "加分后总分不能超过100分。"\npoints = 6',
        ),
        ('code = "7.1"\ntitle = ""\npoints = 5', 'code = "7.1"\ntitle = ""\npoints = 6'),
        name="cq-creation-2024.toml",
    )
    run("load_standards", str(newer))
    assert json.loads(run("score_standard", "cq-creation", "--met", "7.1.b", "--json"))["total"] == "2"
    old = json.loads(run("score_standard", "cq-creation", "--version", "2023", "--met", "7.1.b", "--json"))
    assert (old["version"], old["total"]) == ("2023", "1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cq-creation", "--met", "1.1.a,9.9.z"], "unknown item codes for cq-creation 2023: 9.9.z"),
        (["no-such-standard"], "no standard with code 'no-such-standard'"),
        (["cq-creation", "--version", "1999"], "has no version '1999' (versions: 2023)"),
    ],
)
def test_score_standard_fails_clearly(loaded, args, message):
    with pytest.raises(CommandError) as info:
        run("score_standard", *args)
    assert message in str(info.value)
