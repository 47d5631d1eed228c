"""Import of the registry from messy real-world .xlsx and .csv files."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.utils import translation
from python_calamine import CalamineWorkbook

from shangmi.enterprises import bulk as enterprise_bulk
from shangmi.enterprises import importing
from shangmi.enterprises.importing import HEADERS_ZH, enterprise_import, read_rows, write_import_template
from shangmi.enterprises.models import Enterprise, Tag
from shangmi.enterprises.uscc import make_uscc
from shangmi.jobs.models import Job


@pytest.fixture(autouse=True)
def _english() -> None:
    """Messages are asserted on their English source text, whatever the catalogue says."""
    with translation.override("en"):
        yield


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = "重庆市江北区企业名录（2026年）") -> Path:
    """A file as people make them: a merged title, a blank line, then the header and the data."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    start = 0
    if title:
        sheet.merge_range(0, 0, 0, 5, title)
        sheet.write(1, 0, "填报单位：江北区市场监管局")
        start = 3  # row 3 (index 2) left blank
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(start + i, j, value)
    workbook.close()
    return path


HEADER = list(HEADERS_ZH)


def row(name: str, uscc: str, region: str, **extra: object) -> list[object]:
    values = {
        "企业名称": name,
        "统一社会信用代码": uscc,
        "所属区域": region,
        "所属园区": "",
        "行业门类": "",
        "职工人数": "",
        "标签": "",
        "地址": "",
        "联系人": "",
        "联系电话": "",
        "联系邮箱": "",
        "是否联络点": "",
    }
    values.update({k: v for k, v in extra.items()})
    return [values[h] for h in HEADER]


@pytest.fixture
def messy_xlsx(tmp_path: Path, world) -> Path:
    rows = [
        HEADER,
        # Region as short name (resolves inside 重庆市 for a Chongqing user), lower-case code
        # with stray spaces, tags with 、, industry by Chinese name, number as a float.
        row(
            "  重庆甲科技有限公司 ",
            " " + make_uscc("500105", 101).lower() + " ",
            "江北区",
            **{"所属园区": "港城工业园", "行业门类": "制造业", "职工人数": 120, "标签": "专精特新、高新技术企业"},
        ),
        [None] * len(HEADER),  # a blank line in the middle
        # Full-width code and full region name; liaison point 是; phone as a number.
        row(
            "重庆乙贸易有限公司",
            fullwidth(make_uscc("500105", 102)),
            "重庆市江北区",
            **{"是否联络点": "是", "联系电话": 13800001111, "行业门类": "f", "标签": "创新型,老字号"},
        ),
        # Region as division code.
        row("重庆丙服务有限公司", make_uscc("500105", 103), "500105", **{"联系邮箱": "a@example.com"}),
    ]
    return write_xlsx(tmp_path / "messy.xlsx", rows)


def test_messy_xlsx_lands(world, messy_xlsx: Path) -> None:
    result = enterprise_import(user=world.regulator_in, path=messy_xlsx)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)

    first = Enterprise.objects.get(uscc=make_uscc("500105", 101))
    assert first.name == "重庆甲科技有限公司"
    assert first.region_id == "500105"
    assert first.park == world.park_in
    assert first.industry == "C"
    assert first.employee_count == 120
    assert set(first.tags.values_list("code", flat=True)) == {"specialised_sme", "high_tech"}
    # History is recorded, by the importing user, tags included.
    record = first.history.latest()
    assert record.history_type == "+"
    assert record.history_user == world.regulator_in
    assert set(record.tags.values_list("tag__code", flat=True)) == {"specialised_sme", "high_tech"}

    second = Enterprise.objects.get(uscc=make_uscc("500105", 102))
    assert second.is_liaison_point is True
    assert second.contact_phone == "13800001111"
    assert second.industry == "F"
    assert set(second.tags.values_list("code", flat=True)) == {"innovative", "time_honoured"}
    assert Enterprise.objects.get(uscc=make_uscc("500105", 103)).contact_email == "a@example.com"


def test_one_bad_row_lands_nothing_and_every_bad_row_is_listed(world, tmp_path: Path) -> None:
    good = make_uscc("500105", 201)
    bad_check = make_uscc("500105", 202)[:-1] + ("0" if make_uscc("500105", 202)[-1] != "0" else "1")
    rows = [
        HEADER,
        row("好企业一", good, "江北区"),  # row 5 (title, note, blank line, header above)
        row("坏校验位", bad_check, "江北区"),  # row 6
        row("好企业一重复", good, "江北区"),  # row 7: same code as row 5
        row("", make_uscc("500105", 203), "江北区"),  # row 8: no name
        row("区域不存在", make_uscc("500105", 204), "火星区"),  # row 9
        row("园区不对", make_uscc("500105", 205), "江北区", **{"所属园区": "双福工业园"}),  # row 10: park of 江津
        row("标签不对", make_uscc("500105", 206), "江北区", **{"标签": "不存在的标签"}),  # row 11
        row("好企业二", make_uscc("500105", 207), "江北区"),  # row 12
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = Enterprise.objects.count()
    result = enterprise_import(user=world.regulator_in, path=path)

    assert Enterprise.objects.count() == before
    assert result.created == 0
    by_row: dict[int, list[str]] = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert sorted(by_row) == [6, 7, 8, 9, 10, 11]
    assert any("check character" in m for m in by_row[6])
    assert any("row 5" in m for m in by_row[7])
    assert by_row[8] == ["Enterprise name is required."]
    assert any("火星区" in m for m in by_row[9])
    assert any("双福工业园" in m for m in by_row[10])
    assert any("不存在的标签" in m for m in by_row[11])


def test_dry_run_changes_nothing(world, messy_xlsx: Path) -> None:
    before = Enterprise.objects.count()
    result = enterprise_import(user=world.regulator_in, path=messy_xlsx, dry_run=True)
    assert result.errors == []
    assert result.created == 3
    assert Enterprise.objects.count() == before


def test_import_outside_scope_is_rejected(world, tmp_path: Path) -> None:
    rows = [
        HEADER,
        row("江津的企业", make_uscc("500116", 301), "江津区"),  # another district
        row("江北的企业", make_uscc("500105", 302), "江北区"),
        # The code of an enterprise registered in 江津 (outside the importer's region).
        row("冒名", world.ent_out.uscc, "江北区"),
    ]
    path = write_xlsx(tmp_path / "scope.xlsx", rows, title=None)
    result = enterprise_import(user=world.regulator_in, path=path)
    rows_with_errors = {e.row for e in result.errors}
    assert rows_with_errors == {2, 4}
    assert any("outside" in e.message for e in result.errors if e.row == 4)
    assert not Enterprise.objects.filter(uscc=make_uscc("500105", 302)).exists()
    world.ent_out.refresh_from_db()
    assert world.ent_out.name == "江津外部材料有限公司"


def test_existing_code_in_scope_updates(world, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "update.xlsx",
        [HEADER, row("江北内部科技有限公司（新名）", world.ent_in.uscc, "江北区", **{"所属园区": "港城工业园"})],
    )
    result = enterprise_import(user=world.regulator_in, path=path)
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    world.ent_in.refresh_from_db()
    assert world.ent_in.name == "江北内部科技有限公司（新名）"
    assert world.ent_in.liaison_officer == world.officer_in  # not a column: kept
    assert world.ent_in.history.latest().history_type == "~"


def test_an_update_records_the_whole_row_in_history(world, tmp_path: Path) -> None:
    """The "~" record of an import carries the columns the file does not set (officers, the
    creation time) as they were, not NULL: history shows the row as it stood after the change."""
    Enterprise.objects.filter(pk=world.ent_in.pk).update(guidance_officer=world.officer_in)
    world.ent_in.refresh_from_db()
    path = write_xlsx(
        tmp_path / "update.xlsx",
        [HEADER, row("江北内部科技有限公司（二名）", world.ent_in.uscc, "江北区", **{"所属园区": "港城工业园"})],
    )
    assert enterprise_import(user=world.regulator_in, path=path).updated == 1
    record = world.ent_in.history.latest()
    assert (record.history_type, record.name, record.history_user) == (
        "~",
        "江北内部科技有限公司（二名）",
        world.regulator_in,
    )
    assert (record.liaison_officer_id, record.guidance_officer_id) == (world.officer_in.pk, world.officer_in.pk)
    assert record.created_at == world.ent_in.created_at


def test_csv_gb18030_and_utf8_bom_with_english_headers(world, tmp_path: Path) -> None:
    gb = tmp_path / "gb.csv"
    text = (
        "企业名录\n\n"
        + ",".join(HEADER)
        + "\n"
        + ",".join(row("国标编码企业", make_uscc("500105", 401), "江北区"))
        + "\n"
    )
    gb.write_bytes(text.encode("gb18030"))
    assert enterprise_import(user=world.regulator_in, path=gb).created == 1

    bom = tmp_path / "bom.csv"
    english = (
        "Name,USCC,Region,Park,Tags,Liaison point\n" + f"BOM企业,{make_uscc('500105', 402)},500105,,高新技术企业,否\n"
    )
    bom.write_bytes(b"\xef\xbb\xbf" + english.encode("utf-8"))
    result = enterprise_import(user=world.regulator_in, path=bom)
    assert result.errors == []
    assert Enterprise.objects.get(uscc=make_uscc("500105", 402)).tags.get().code == "high_tech"


def test_merged_cells_fill_every_row(world, tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["企业名称", "统一社会信用代码", "所属区域"])
    sheet.write_row(1, 0, ["合并一", make_uscc("500105", 501)])
    sheet.write_row(2, 0, ["合并二", make_uscc("500105", 502)])
    sheet.merge_range(1, 2, 2, 2, "江北区")
    workbook.close()
    result = enterprise_import(user=world.regulator_in, path=path)
    assert result.errors == []
    assert Enterprise.objects.filter(uscc__in=[make_uscc("500105", 501), make_uscc("500105", 502)]).count() == 2


def test_template_has_the_columns_and_an_explanation(db, tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_import_template(path)
    assert read_rows(path)[0] == list(HEADERS_ZH)
    workbook = CalamineWorkbook.from_path(str(path))
    assert len(workbook.sheet_names) == 2
    notes = workbook.get_sheet_by_index(1).to_python()
    text = "".join(str(c) for r in notes for c in r)
    assert "是" in text and "、" in text and "4754" in text
    assert Tag.objects.first().name_zh in text


def test_command_exit_status(world, tmp_path: Path, capsys) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, row("命令企业", make_uscc("500105", 601), "江北区")])
    call_command("import_enterprises", str(good), "--user", world.regulator_in.username, "--dry-run")
    assert not Enterprise.objects.filter(uscc=make_uscc("500105", 601)).exists()
    call_command("import_enterprises", str(good), "--user", world.regulator_in.username)
    assert Enterprise.objects.filter(uscc=make_uscc("500105", 601)).exists()

    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        [HEADER, row("坏一", "123", "江北区"), row("坏二", make_uscc("500105", 602), "火星区")],
    )
    with pytest.raises(CommandError) as info:
        call_command("import_enterprises", str(bad), "--user", world.regulator_in.username)
    assert info.value.returncode == 1
    err = capsys.readouterr().err
    assert "bad.xlsx:5:" in err and "bad.xlsx:6:" in err


def post_file(client, name: str, content: bytes, **data: object):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/enterprises/import/", {"file": upload, **data})


def test_import_page_sync_shows_errors(client, world, tmp_path: Path) -> None:
    client.force_login(world.regulator_in)
    assert client.get("/enterprises/import/").status_code == 200
    bad = write_xlsx(
        tmp_path / "bad.xlsx", [HEADER, row("好", make_uscc("500105", 701), "江北区"), row("坏", "X", "江北区")]
    )
    response = post_file(client, "bad.xlsx", bad.read_bytes())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "<td>6</td>" in html
    assert not Enterprise.objects.filter(uscc=make_uscc("500105", 701)).exists()

    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, row("好", make_uscc("500105", 701), "江北区")])
    response = post_file(client, "good.xlsx", good.read_bytes(), dry_run="on")
    assert 'data-testid="import-result"' in response.content.decode()
    assert not Enterprise.objects.filter(uscc=make_uscc("500105", 701)).exists()
    post_file(client, "good.xlsx", good.read_bytes())
    assert Enterprise.objects.filter(uscc=make_uscc("500105", 701)).exists()


def test_import_page_rejects_wrong_files(client, world) -> None:
    client.force_login(world.regulator_in)
    response = post_file(client, "list.pdf", b"%PDF-1.4")
    assert response.status_code == 200
    assert 'data-testid="import-errors"' not in response.content.decode()
    assert "is-invalid" in response.content.decode()
    response = post_file(client, "fake.xlsx", b"not a zip")
    assert "is-invalid" in response.content.decode()


def test_only_regulators_and_admins_import(client, world) -> None:
    for user in (world.park_operator_in, world.ent_admin_in, world.officer_in, world.expert):
        client.force_login(user)
        assert client.get("/enterprises/import/").status_code == 404
        assert client.get("/enterprises/import/template/").status_code == 404
    client.force_login(world.admin)
    response = client.get("/enterprises/import/template/")
    assert response.status_code == 200
    assert read_first_row(response.content) == list(HEADERS_ZH)


def read_first_row(content: bytes) -> list[str]:
    return [str(c) for c in CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()[0]]


def test_large_file_runs_as_a_job(client, world, tmp_path: Path, settings, tmp_media) -> None:
    settings.SHANGMI_IMPORT_SYNC_ROWS = 5
    settings.TASKS = IMMEDIATE
    rows = [HEADER] + [row(f"批量企业{i}", make_uscc("500105", 800 + i), "江北区") for i in range(12)]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    client.force_login(world.regulator_in)
    response = post_file(client, "big.xlsx", path.read_bytes())
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.created_by == world.regulator_in
    assert job.status == Job.Status.SUCCEEDED
    assert job.done == job.total == 12
    assert job.result["created"] == 12
    assert Enterprise.objects.filter(name__startswith="批量企业").count() == 12
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert job.result["message"] in page.content.decode()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200

    # Someone else cannot see the job or its file.
    client.force_login(world.regulator_out)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_an_upload_is_parsed_once_whether_now_or_in_a_job(
    client, world, tmp_path: Path, settings, tmp_media, monkeypatch
) -> None:
    """The page checks the file and keeps the verdict; the rows are parsed once, by the page
    or by the job (it parsed twice before: once to count the rows, once to import them)."""
    from shangmi.core import spreadsheets

    parses: list[str] = []
    real_parse = spreadsheets.parse

    def counted(path, kind, limits=None):  # the real parse, counted
        parses.append(kind)
        return real_parse(path, kind, limits)

    monkeypatch.setattr(spreadsheets, "parse", counted)
    settings.TASKS = IMMEDIATE
    client.force_login(world.regulator_in)
    small = write_xlsx(tmp_path / "small.xlsx", [HEADER, row("一次企业", make_uscc("500105", 951), "江北区")])
    assert post_file(client, "small.xlsx", small.read_bytes()).status_code == 200
    assert parses == ["xlsx"]

    settings.SHANGMI_IMPORT_SYNC_ROWS = 2
    rows = [HEADER] + [row(f"一次作业企业{i}", make_uscc("500105", 960 + i), "江北区") for i in range(4)]
    big = write_xlsx(tmp_path / "big.xlsx", rows)
    assert post_file(client, "big.xlsx", big.read_bytes()).status_code == 302
    job = Job.objects.get()
    assert (job.params["sheet_kind"], job.status) == ("xlsx", Job.Status.SUCCEEDED)
    assert parses == ["xlsx", "xlsx"]
    assert Enterprise.objects.filter(name__startswith="一次").count() == 5


def test_large_bad_file_job_lists_errors(client, world, tmp_path: Path, settings, tmp_media) -> None:
    settings.SHANGMI_IMPORT_SYNC_ROWS = 2
    settings.TASKS = IMMEDIATE
    rows = [HEADER] + [row(f"作业企业{i}", make_uscc("500105", 900 + i), "江北区") for i in range(4)]
    rows.append(row("坏作业企业", "BAD", "江北区"))
    path = write_xlsx(tmp_path / "bigbad.xlsx", rows)
    client.force_login(world.regulator_in)
    response = post_file(client, "bigbad.xlsx", path.read_bytes())
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.result["errors"][0]["row"] == 9
    assert not Enterprise.objects.filter(name__startswith="作业企业").exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in page


# --- PostgreSQL: new rows go in with COPY (enterprises.bulk, the import's writer) ----------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path of the import runs on PostgreSQL only"
)


def _copy_file(tmp_path: Path, serials: range) -> Path:
    rows = [HEADER]
    for n in serials:
        tags = {0: "专精特新、高新技术企业", 1: "创新型"}.get(n % 3, "")
        rows.append(row(f"拷贝企业{n}", make_uscc("500105", n), "江北区", **{"标签": tags, "所属园区": "港城工业园"}))
    return write_xlsx(tmp_path / "copy.xlsx", rows, title=None)


@postgres_only
def test_copy_import_ids_tags_history_and_sequences(world, tmp_path: Path) -> None:
    history = Enterprise.history.model
    result = enterprise_import(user=world.regulator_in, path=_copy_file(tmp_path, range(1000, 1006)))
    assert (result.created, result.errors) == (6, [])

    imported = list(Enterprise.objects.filter(name__startswith="拷贝企业").order_by("pk"))
    assert [e.uscc for e in imported] == [make_uscc("500105", n) for n in range(1000, 1006)]  # file order
    for e in imported:
        assert e.park == world.park_in and e.created_at is not None and e.updated_at is not None
        want = {0: {"specialised_sme", "high_tech"}, 1: {"innovative"}}.get(int(e.uscc[8:16]) % 3, set())
        assert set(e.tags.values_list("code", flat=True)) == want
        record = history.objects.get(id=e.pk)  # exactly one record, the "+" of the import, tags included
        assert (record.history_type, record.history_user, record.name) == ("+", world.regulator_in, e.name)
        assert set(record.tags.values_list("tag__code", flat=True)) == want
        assert set(record.tags.values_list("id", flat=True)) == set(
            Enterprise.tags.through.objects.filter(enterprise=e).values_list("id", flat=True)
        )

    # The sequences moved past the COPYed ids: the ORM's next rows get fresh ones.
    later = Enterprise.objects.create(name="后来的企业", uscc=make_uscc("500105", 1100), region_id="500105")
    later.tags.add(Tag.objects.get(code="innovative"))
    assert later.pk > imported[-1].pk
    assert later.history.latest().history_id > max(
        history.objects.filter(id__in=[e.pk for e in imported]).values_list("history_id", flat=True)
    )
    link = Enterprise.tags.through.objects.get(enterprise=later)
    assert link.pk > max(Enterprise.tags.through.objects.filter(enterprise__in=imported).values_list("pk", flat=True))

    # Importing the same file again updates nothing (same values), creates nothing.
    again = enterprise_import(user=world.regulator_in, path=_copy_file(tmp_path, range(1000, 1006)))
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 6, [])


@postgres_only
def test_copy_import_failing_midway_leaves_nothing(world, tmp_path: Path, monkeypatch) -> None:
    """The tag links fail after the enterprises and history records went in: all of it rolls back."""
    counts = lambda: (  # noqa: E731
        Enterprise.objects.count(),
        Enterprise.history.model.objects.count(),
        Enterprise.tags.through.objects.count(),
    )
    before = counts()
    real_copy_rows = enterprise_bulk.copy_rows

    def failing_copy_rows(model, attnames, rows):
        if model is Enterprise.tags.through:

            def rows_then_failure(source):
                yield next(iter(source))
                raise RuntimeError("connection lost in the middle of the COPY")

            rows = rows_then_failure(rows)
        real_copy_rows(model, attnames, rows)

    monkeypatch.setattr(enterprise_bulk, "copy_rows", failing_copy_rows)
    path = _copy_file(tmp_path, range(1200, 1210))
    with pytest.raises(RuntimeError):
        enterprise_import(user=world.regulator_in, path=path)
    assert counts() == before

    monkeypatch.setattr(enterprise_bulk, "copy_rows", real_copy_rows)
    assert enterprise_import(user=world.regulator_in, path=path).created == 10  # the connection is usable


@postgres_only
def test_copy_import_code_registered_meanwhile_rolls_back(world, tmp_path: Path, monkeypatch) -> None:
    """A code registered between the check and the COPY (another user's save) fails the whole import."""
    monkeypatch.setattr(importing, "_registered_usccs", lambda usccs: [])  # the check saw none of them
    rows = [HEADER, row("新企业", make_uscc("500105", 1300), "江北区"), row("同码企业", world.ent_in.uscc, "江北区")]
    before = Enterprise.objects.count()
    with pytest.raises(IntegrityError):
        enterprise_import(user=world.regulator_in, path=write_xlsx(tmp_path / "race.xlsx", rows, title=None))
    assert Enterprise.objects.count() == before
    assert not Enterprise.objects.filter(uscc=make_uscc("500105", 1300)).exists()
