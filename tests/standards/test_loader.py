"""Loading data files into rows: checked, hashed, idempotent, and frozen once used."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from shangmi.standards import errors
from shangmi.standards.errors import StandardFileError, StandardFrozenError, StandardLoadError
from shangmi.standards.models import Category, Criterion, Item, Standard
from shangmi.standards.scoring import spec_of
from shangmi.standards.services import CREATED, REPLACED, UNCHANGED, freeze, standard_load, standards_load
from tests.standards.conftest import CQ, CQ_FILE, ZJ_FILE, write_variant

pytestmark = pytest.mark.django_db


def snapshot(standard: Standard) -> dict[str, list[tuple]]:
    """Every row of a standard, to prove that a refused load changed nothing."""
    return {
        "standard": list(Standard.objects.filter(pk=standard.pk).values_list()),
        "categories": list(Category.objects.filter(standard=standard).values_list().order_by("pk")),
        "criteria": list(Criterion.objects.filter(category__standard=standard).values_list().order_by("pk")),
        "items": list(Item.objects.filter(standard=standard).values_list().order_by("pk")),
    }


def test_the_chongqing_file_loads_whole(loaded):
    standard = loaded["cq-creation"]
    assert (standard.version, standard.kind, standard.max_total) == ("2023", Standard.Kind.POINTS, 100)
    categories = list(standard.categories.order_by("number"))
    assert len(categories) == 7 and categories[6].is_bonus and categories[6].points == 5
    assert sum(c.points for c in categories if not c.is_bonus) == 100
    assert standard.items.count() == 39
    one_a, four_one_c, five_two_b = (standard.items.get(code=c) for c in ("1.1.a", "4.1.c", "5.2.b"))
    assert (one_a.text, one_a.points) == ("成立商业秘密保护工作领导小组或类似机构。", 3)
    assert "涉密场所、载体管理" in four_one_c.text and four_one_c.points == Decimal("2.5")
    assert (five_two_b.text, five_two_b.points) == ("每年7-12月开展不少于1次指导。", 5)
    assert five_two_b.criterion.code == "5.2" and five_two_b.criterion.category.number == 5
    bonus = list(standard.items.filter(criterion__category__is_bonus=True).values_list("code", "points"))
    assert bonus == [(f"7.1.{x}", 1) for x in "abcde"]


def test_every_criterion_and_category_adds_up_in_the_rows(loaded):
    for criterion in Criterion.objects.filter(category__standard=loaded["cq-creation"]).annotate(
        s=Sum("items__points")
    ):
        assert criterion.points == criterion.s, criterion.code
    for category in Category.objects.filter(standard=loaded["cq-creation"]).annotate(s=Sum("criteria__points")):
        assert category.points == category.s, category.title


def test_the_rows_give_back_the_file_and_its_hash(loaded):
    standard = loaded["cq-creation"]
    assert spec_of(standard) == CQ
    assert standard.content_sha256 == CQ.content_sha256() == spec_of(standard).content_sha256()
    zj = loaded["zj-demo-zone"]
    assert zj.kind == Standard.Kind.CONDITIONS and zj.items.count() == 6
    assert not zj.items.exclude(points=None).exists() and not zj.categories.exclude(points=None).exists()


def test_loading_again_is_a_no_op(loaded):
    before = snapshot(loaded["cq-creation"])
    results = standards_load()
    assert [r.status for r in results] == [UNCHANGED, UNCHANGED]
    assert snapshot(loaded["cq-creation"]) == before


def test_comments_and_number_spelling_do_not_change_the_content(loaded, tmp_path):
    path = write_variant(tmp_path, CQ_FILE, ("max_total = 100\n", "# capped\nmax_total = 100.0\n"))
    assert standard_load(path).status == UNCHANGED


def test_a_changed_frozen_version_is_refused_and_nothing_changes(loaded, tmp_path):
    standard = freeze(loaded["cq-creation"])
    before = snapshot(standard)
    path = write_variant(tmp_path, CQ_FILE, ("其他加分情况。", "其他加分情况(修订)。"))
    with pytest.raises(StandardFrozenError, match="is in use") as info:
        standard_load(path)
    assert "new version" in str(info.value) and "cq-creation-2023.toml" in str(info.value)
    assert snapshot(standard) == before
    # The same content is still fine: loading the shipped file again is a no-op.
    assert standard_load(CQ_FILE).status == UNCHANGED


def test_a_changed_unfrozen_version_is_replaced_in_place(loaded, tmp_path):
    standard = loaded["cq-creation"]
    kept = standard.items.get(code="1.1.a").pk
    path = write_variant(
        tmp_path,
        CQ_FILE,
        # 1.1.a's text changes; 7.1.e goes and 7.1.f comes (the bonus still adds up to 5).
        ("成立商业秘密保护工作领导小组或类似机构。", "成立商业秘密保护工作领导小组。"),
        ('code = "7.1.e"', 'code = "7.1.f"'),
    )
    result = standard_load(path)
    assert result.status == REPLACED and result.standard.pk == standard.pk
    item = Item.objects.get(standard=standard, code="1.1.a")
    assert item.pk == kept and item.text == "成立商业秘密保护工作领导小组。"
    codes = set(standard.items.values_list("code", flat=True))
    assert "7.1.f" in codes and "7.1.e" not in codes and len(codes) == 39
    standard.refresh_from_db()
    assert standard.content_sha256 != CQ.content_sha256()
    assert standard.content_sha256 == spec_of(standard).content_sha256()


def test_a_new_version_loads_beside_a_frozen_one(loaded, tmp_path):
    freeze(loaded["cq-creation"])
    path = write_variant(tmp_path, CQ_FILE, ('version = "2023"', 'version = "2024"'), name="cq-creation-2024.toml")
    assert standard_load(path).status == CREATED
    assert sorted(Standard.objects.filter(code="cq-creation").values_list("version", flat=True)) == ["2023", "2024"]


def test_freeze_keeps_the_first_time(loaded):
    standard = loaded["zj-demo-zone"]
    assert not standard.is_frozen
    first = freeze(standard).frozen_at
    assert first is not None
    again = freeze(Standard.objects.get(pk=standard.pk))
    assert again.frozen_at == first and again.is_frozen


# --- bad files: every problem named, with the file and where in it ---------------------------


def load_errors(path) -> StandardFileError:
    with pytest.raises(StandardFileError) as info:
        standard_load(path)
    assert not Standard.objects.exists(), "a bad file wrote rows"
    return info.value


@pytest.mark.parametrize(
    ("replacements", "kind", "where"),
    [
        ([('code = "1.1.b"', 'code = "1.1.a"')], errors.DUPLICATE, "categories[0].criteria[0].items[1].code"),
        ([('code = "1.2"', 'code = "1.1"')], errors.DUPLICATE, "categories[0].criteria[1].code"),
        ([('code = "1.1.b"', 'code = "1.2.b"')], errors.BAD_CODE, "categories[0].criteria[0].items[1].code"),
        (
            [('载体管理相关规定内容。"\npoints = 2.5', '载体管理相关规定内容。"\npoints = 2')],
            errors.SUM_MISMATCH,
            "categories[3].criteria[0].points",
        ),
        ([('text = "其他加分情况。"\n', "")], errors.MISSING, "categories[6].criteria[0].items[4].text"),
        ([("number = 7\n", "number = 7\npionts = 5\n")], errors.UNKNOWN_FIELD, "categories[6].pionts"),
        ([("max_total = 100", 'max_total = "100"')], errors.WRONG_TYPE, "max_total"),
        ([("max_total = 100", "max_total = 99.75")], errors.BAD_VALUE, "max_total"),
        ([('kind = "points"', 'kind = "grades"')], errors.BAD_VALUE, "kind"),
        ([("max_total = 100", "max_total = 100\npass_mark = 101")], errors.BAD_VALUE, "pass_mark"),
    ],
)
def test_a_bad_file_is_refused_with_the_place_of_the_problem(tmp_path, replacements, kind, where):
    path = write_variant(tmp_path, CQ_FILE, *replacements)
    error = load_errors(path)
    assert kind in error.kinds
    assert any(problem.path == where for problem in error.problems if problem.kind == kind), error.problems
    assert f"cq-creation-2023.toml: {where}:" in str(error)


def test_a_category_whose_criteria_do_not_add_up_is_named(tmp_path):
    # Category 二 claims 11 points; its criteria still give 5 + 5.
    path = write_variant(
        tmp_path,
        CQ_FILE,
        (
            'points = 10\n\n[[categories.criteria]]\ncode = "2.1"',
            'points = 11\n\n[[categories.criteria]]\ncode = "2.1"',
        ),
    )
    error = load_errors(path)
    (problem,) = error.problems
    assert problem.kind == errors.SUM_MISMATCH and problem.path == "categories[1].points"
    assert "category 2 gives 11 points but its criteria add up to 10" in problem.message


def test_every_problem_is_reported_at_once(tmp_path):
    path = write_variant(
        tmp_path,
        CQ_FILE,
        ('code = "1.1.b"', 'code = "1.1.a"'),
        ('text = "其他加分情况。"\n', ""),
        ("max_total = 100", 'max_total = "100"'),
    )
    assert load_errors(path).kinds == {errors.DUPLICATE, errors.MISSING, errors.WRONG_TYPE}


def test_a_conditions_standard_takes_no_points(tmp_path):
    path = write_variant(tmp_path, ZJ_FILE, ('code = "1.3.a"\n', 'code = "1.3.a"\npoints = 1\n'))
    error = load_errors(path)
    assert [(p.kind, p.path) for p in error.problems] == [
        (errors.BAD_VALUE, "categories[0].criteria[2].items[0].points")
    ]


def test_a_file_must_be_named_after_its_code_and_version(tmp_path):
    path = write_variant(tmp_path, CQ_FILE, ('version = "2023"', 'version = "2024"'))
    assert load_errors(path).kinds == {errors.FILE_NAME}


def test_a_syntax_error_names_the_file(tmp_path):
    path = write_variant(tmp_path, CQ_FILE, ('code = "cq-creation"', 'code = "cq-creation'))
    error = load_errors(path)
    assert error.kinds == {errors.SYNTAX} and str(error).startswith("1 problem(s) in cq-creation-2023.toml")


def test_items_still_used_are_never_deleted_even_if_the_version_was_not_frozen(world, loaded, tmp_path):
    """The applications code freezes a version on first use; should a use slip past that,
    the loader still refuses to delete an item that an answer points at."""
    import datetime

    from shangmi.creation.models import Application, AssessmentEntry, DemoType, Level, Round

    standard = loaded["cq-creation"]
    round_ = Round.objects.create(
        title="round",
        year=2026,
        demo_type=DemoType.UNIT,
        level=Level.MUNICIPAL,
        standard=standard,
        region=world.chongqing,
        deadline=datetime.date(2026, 9, 30),
        created_by=world.city_regulator,
    )
    application = Application.objects.create(
        round=round_,
        standard=standard,
        applicant_kind=Application.ApplicantKind.ENTERPRISE,
        enterprise=world.ent_in,
        region=world.jiangbei,
        applicant_name=world.ent_in.name,
        created_by=world.ent_admin_in,
    )
    AssessmentEntry.objects.create(application=application, item=standard.items.get(code="7.1.e"), met=True)
    before = snapshot(standard)
    path = write_variant(tmp_path, CQ_FILE, ('code = "7.1.e"', 'code = "7.1.f"'))
    with pytest.raises(StandardLoadError, match="removes items that other records still use") as info:
        standard_load(path)
    assert not isinstance(info.value, StandardFileError)
    assert snapshot(standard) == before
