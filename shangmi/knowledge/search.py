"""Search in Chinese across laws, country guides, typical cases, news and risk alerts.

Chinese has no spaces, so neither SQLite's nor PostgreSQL's own text search can find 商业秘密
inside 侵犯商业秘密罪 without a segmenter, and the two databases' text search differ in every
other respect. So the words are cut here, once, when a document is written: jieba (pinned) in
its search mode, which yields both the long words and the short words inside them
(侵犯 / 商业 / 秘密 / 商业秘密 / 罪), and each distinct word is one ``SearchToken`` row of an
inverted index. A query is cut in jieba's precise mode and an entry matches when it holds
every word of the query: one indexed lookup per word, the same SQL on both databases.

Who finds what is decided on the entry: a published entry by everyone (the portal too), a
draft only by its bureau's region (``SearchEntry.scope``) and the platform administrators.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jieba
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from shangmi.core.scoping import VIEW, scope_q
from shangmi.knowledge.models import (
    Article,
    CountryGuide,
    NewsArticle,
    RiskAlert,
    SearchEntry,
    SearchToken,
    Status,
    TypicalCase,
)

jieba.setLogLevel(logging.WARNING)

# A word worth indexing holds a CJK character, a letter or a digit (not punctuation or spaces).
_WORDY = re.compile(r"[\w\u3400-\u9fff]")
MAX_TOKEN = 64
MAX_QUERY_WORDS = 12
RESULTS = 50


def _clean(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        word = word.strip().lower()
        if word and len(word) <= MAX_TOKEN and _WORDY.search(word):
            seen.setdefault(word, None)
    return list(seen)


def index_words(text: str) -> list[str]:
    """The distinct words a document is found by (jieba's search mode: long and short words)."""
    return _clean(jieba.cut_for_search(text))


def query_words(text: str) -> list[str]:
    """The words a query asks for (jieba's precise mode: each must be in the document)."""
    return _clean(jieba.cut(text))[:MAX_QUERY_WORDS]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 140 else flat[:139] + "…"


def index_entry(
    *,
    kind: str,
    object_id: int,
    title: str,
    text: str,
    url: str,
    public_url: str = "",
    region_id: str | None = None,
    published: bool = True,
) -> SearchEntry:
    """Write (or rewrite) one document's entry and its words."""
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            kind=kind,
            object_id=object_id,
            defaults={
                "title": title[:240],
                "excerpt": _excerpt(text)[:300],
                "url": url,
                "public_url": public_url,
                "region_id": region_id,
                "published": published,
            },
        )
        SearchToken.objects.filter(entry=entry).delete()
        SearchToken.objects.bulk_create(
            [SearchToken(entry=entry, token=word) for word in index_words(f"{title}\n{text}")]
        )
    return entry


def unindex(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def index_article(article: Article) -> SearchEntry:
    law = article.law
    url = f"{law.get_absolute_url()}#a{article.pk}"
    return index_entry(
        kind=SearchEntry.Kind.ARTICLE,
        object_id=article.pk,
        title=f"{law.title} {article.label} {article.title}",
        text=article.text,
        url=url,
        public_url=url,
    )


def index_country(guide: CountryGuide) -> SearchEntry:
    text = "\n".join(entry.text for entry in guide.entries.all())
    url = guide.get_absolute_url()
    return index_entry(
        kind=SearchEntry.Kind.COUNTRY,
        object_id=guide.pk,
        title=f"{guide.name} {guide.name_en}",
        text=text,
        url=url,
        public_url=url,
    )


def index_case(case: TypicalCase) -> SearchEntry:
    published = case.status == Status.PUBLISHED
    return index_entry(
        kind=SearchEntry.Kind.CASE,
        object_id=case.pk,
        title=case.title,
        text=f"{case.summary}\n{case.authority}\n{case.outcome}",
        url=case.get_absolute_url(),
        public_url=f"/portal/cases/{case.pk}/" if published else "",
        region_id=case.region_id,
        published=published,
    )


def index_news(article: NewsArticle) -> SearchEntry:
    published = article.status == Status.PUBLISHED
    return index_entry(
        kind=SearchEntry.Kind.NEWS,
        object_id=article.pk,
        title=article.title,
        text=article.body,
        url=article.get_absolute_url(),
        public_url=f"/portal/news/{article.pk}/" if published else "",
        region_id=article.region_id,
        published=published,
    )


def index_alert(alert: RiskAlert) -> SearchEntry:
    # Found by everyone only when published and marked public; otherwise by its bureau.
    public = alert.status == Status.PUBLISHED and alert.is_public
    return index_entry(
        kind=SearchEntry.Kind.ALERT,
        object_id=alert.pk,
        title=alert.title,
        text=alert.body,
        url=alert.get_absolute_url(),
        public_url=f"/portal/alerts/{alert.pk}/" if public else "",
        region_id=alert.region_id,
        published=public,
    )


def visible_entries(user: Any) -> QuerySet[SearchEntry]:
    """Published entries, and the drafts of the reader's own bureau."""
    condition = Q(published=True)
    own = scope_q(SearchEntry, user, VIEW) if user is not None and user.is_authenticated else None
    if own is not None:
        condition |= own
    return SearchEntry.objects.filter(condition)


@dataclass(frozen=True)
class Results:
    words: list[str]
    entries: list[SearchEntry]


def search(query: str, user: Any = None, *, kind: str = "", limit: int = RESULTS) -> Results:
    """The entries holding every word of ``query`` that ``user`` may find (None: the public)."""
    words = query_words(query)
    if not words:
        return Results(words, [])
    matching = (
        SearchToken.objects.filter(token__in=words)
        .values("entry_id")
        .annotate(found=Count("token", distinct=True))
        .filter(found=len(words))
        .values("entry_id")
    )
    rows = visible_entries(user).filter(pk__in=matching)
    if kind:
        rows = rows.filter(kind=kind)
    return Results(words, list(rows.order_by("kind", "title", "pk")[:limit]))
