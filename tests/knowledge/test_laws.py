"""Laws and country guides come from data files; an article is read as of a date."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shangmi.knowledge.loading import FILE_INVALID, knowledge_load, law_load
from shangmi.knowledge.models import Article, CountryGuide, GuideEntry, Law
from shangmi.knowledge.selectors import article_as_of, comparison
from tests.refusals import refused_with

pytestmark = pytest.mark.django_db


def test_the_shipped_files_load_ten_laws_and_five_country_guides() -> None:
    call_command("load_knowledge")
    assert Law.objects.count() >= 10
    assert set(CountryGuide.objects.values_list("code", flat=True)) >= {"US", "EU", "DE", "JP", "KR"}
    # Every article and every guide field names its source; nothing is claimed as official text.
    assert not Article.objects.filter(source="").exists()
    assert not GuideEntry.objects.filter(source="").exists()
    assert not Article.objects.filter(is_summary=False).exists()
    korea = CountryGuide.objects.get(code="KR")
    assert "哈希" in korea.entries.get(field="procedures").text


def test_an_article_is_read_as_of_a_date_before_and_after_its_amendment() -> None:
    knowledge_load()
    before = article_as_of("criminal-law", "219", datetime.date(2020, 12, 31))
    after = article_as_of("criminal-law", "219", datetime.date(2021, 3, 1))
    assert before is not None and after is not None and before.pk != after.pk
    assert "重大损失" in before.text and "三年以上七年以下" in before.text
    assert "情节严重" in after.text and "三年以上十年以下" in after.text
    # 219-1 did not exist before the 11th amendment.
    assert article_as_of("criminal-law", "219-1", datetime.date(2020, 12, 31)) is None
    assert article_as_of("criminal-law", "219-1", datetime.date(2021, 3, 1)) is not None
    # The 2025 revision moved the trade secret article from 9 to 10 on 2025-10-15.
    assert article_as_of("aucl", "9", datetime.date(2025, 10, 14)) is not None
    assert article_as_of("aucl", "9", datetime.date(2025, 10, 15)) is None
    assert article_as_of("aucl", "10", datetime.date(2025, 10, 15)) is not None
    assert article_as_of("aucl", "10", datetime.date(2025, 10, 14)) is None


def test_loading_twice_changes_nothing() -> None:
    knowledge_load()
    counts = (Law.objects.count(), Article.objects.count(), GuideEntry.objects.count())
    knowledge_load()
    assert (Law.objects.count(), Article.objects.count(), GuideEntry.objects.count()) == counts


def test_a_bad_law_file_names_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "code": "bad-law",
                "title": "坏的法律",
                "kind": "statute",
                "source": "nowhere",
                "articles": [
                    {"number": "1", "title": "一", "text": "文", "effective_from": "2020-02-30", "source": "s"},
                    {"number": "2", "title": "二", "text": "", "effective_from": "2020-01-01", "source": "s"},
                    {
                        "number": "3",
                        "title": "三",
                        "text": "文",
                        "effective_from": "2021-01-01",
                        "repealed_on": "2020-01-01",
                        "source": "s",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    with refused_with(FILE_INVALID) as refusal:
        law_load(path)
    text = str(refusal.value)
    for problem in ("statute", "2020-02-30", "text missing", "repealed_on must be after"):
        assert problem in text
    assert not Law.objects.filter(code="bad-law").exists()
    with pytest.raises(CommandError):
        call_command("load_knowledge", str(path))


def test_the_comparison_has_one_row_per_field_and_a_cell_per_country() -> None:
    knowledge_load()
    guides = list(CountryGuide.objects.filter(code__in=["US", "KR"]).order_by("order"))
    rows = comparison(guides)
    assert [row.field for row in rows][:2] == ["definition", "acts"]
    limitation = next(row for row in rows if row.field == "limitation")
    us, kr = limitation.cells
    assert us is not None and "三年" in us.text
    assert kr is None  # not recorded for Korea: shown as such, never guessed
