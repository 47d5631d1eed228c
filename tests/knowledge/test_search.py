"""Chinese search: words cut by jieba at index time, the same inverted index on SQLite and
PostgreSQL (run this file with DATABASE_URL=postgres://... for the second)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from shangmi.knowledge import services
from shangmi.knowledge.loading import knowledge_load
from shangmi.knowledge.models import SearchEntry, SearchToken
from shangmi.knowledge.search import index_words, query_words, search


def test_segmentation_finds_the_word_inside_the_longer_one() -> None:
    words = index_words("侵犯商业秘密罪")
    assert {"侵犯", "商业秘密", "商业", "秘密"} <= set(words)
    assert query_words("商业秘密") == ["商业秘密"]
    assert query_words("  ，。 ") == []


@pytest.mark.django_db
def test_search_finds_trade_secret_in_the_crime_of_infringing_trade_secrets(world: Any) -> None:
    knowledge_load()
    found = search("商业秘密", None)
    titles = [entry.title for entry in found.entries]
    assert any("侵犯商业秘密罪" in title for title in titles), titles
    # Two words, both required: only entries that hold both.
    both = search("竞业限制 经济补偿", None).entries
    assert both and all(e.kind == SearchEntry.Kind.ARTICLE for e in both)
    assert any("劳动" in e.title for e in both)
    assert not search("量子纠缠", None).entries
    # The country guides are found too: Korea's hash certification.
    assert any(e.kind == SearchEntry.Kind.COUNTRY for e in search("时间戳", None).entries)
    # The index is rows of words, not a per-database text search.
    assert SearchToken.objects.filter(token="商业秘密").count() >= 5
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_a_draft_is_found_only_by_its_own_bureau(world: Any) -> None:
    draft = services.case_create(
        user=world.regulator_in,
        data=services.CaseInput(
            title="某科技公司员工窃取商业秘密案",
            summary="员工离职前拷贝图纸",
            authority="江北区市场监管局",
            decided_on=datetime.date(2026, 3, 1),
            outcome="罚款五十万元",
        ),
    )
    assert [e.object_id for e in search("窃取 图纸", world.regulator_in).entries] == [draft.pk]
    assert search("窃取 图纸", world.city_regulator).entries  # the city above it
    assert not search("窃取 图纸", world.regulator_out).entries
    assert not search("窃取 图纸", world.ent_admin_in).entries
    assert not search("窃取 图纸", None).entries
    services.case_submit(user=world.regulator_in, case=draft)
    services.case_review(user=world.city_regulator, case=draft, approve=True)
    assert [e.object_id for e in search("窃取 图纸", None).entries] == [draft.pk]
    assert search("窃取 图纸", world.regulator_out).entries
