"""Laws and country guides from data files: each file lands whole or not at all.

A law file (data/laws/*.json) names the law and its articles; an amendment is one more
version of an article (same number, later ``effective_from``), the earlier one ending with a
``repealed_on``. A country guide file (data/countries/*.json) gives each field of
``GuideField`` with its source. Loading again replaces what a file says and keeps the rest, so
a bureau loads a corrected file without touching anything else.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message
from shangmi.knowledge.models import Article, CountryGuide, GuideEntry, GuideField, Law
from shangmi.knowledge.search import index_article, index_country

DATA = Path(__file__).resolve().parent / "data"
LAWS_DIR = DATA / "laws"
COUNTRIES_DIR = DATA / "countries"

FILE_UNREADABLE = Message("knowledge.file_unreadable", _("%(path)s cannot be read as a JSON data file: %(error)s"))
FILE_INVALID = Message("knowledge.file_invalid", _("%(path)s is not a valid data file: %(problems)s"))


@dataclass(frozen=True)
class Loaded:
    path: Path
    name: str
    parts: int


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AppError(FILE_UNREADABLE, path=str(path), error=str(exc)) from exc
    if not isinstance(data, dict):
        raise AppError(FILE_INVALID, path=str(path), problems="not a JSON object")
    return data


def _date(value: Any, what: str, problems: list[str], *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            problems.append(f"{what}: missing date")
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{what}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _text(entry: dict[str, Any], key: str, what: str, problems: list[str], limit: int) -> str:
    value = str(entry.get(key) or "").strip()
    if not value:
        problems.append(f"{what}: {key} missing")
    elif len(value) > limit:
        problems.append(f"{what}: {key} longer than {limit} characters")
    return value


def law_load(path: Path) -> Loaded:
    """Add or replace one law and every article version its file names."""
    data = _read(path)
    problems: list[str] = []
    code = _text(data, "code", "law", problems, 48)
    title = _text(data, "title", "law", problems, 200)
    source = _text(data, "source", "law", problems, 300)
    kind = str(data.get("kind") or "")
    if kind not in Law.Kind.values:
        problems.append(f"law: kind {kind!r} is not one of {', '.join(Law.Kind.values)}")
    articles = data.get("articles")
    if not isinstance(articles, list):
        problems.append("law: articles must be a list")
        articles = []
    versions: list[dict[str, Any]] = []
    seen: set[tuple[str, datetime.date | None]] = set()
    for number, entry in enumerate(articles, start=1):
        what = f"article {number}"
        if not isinstance(entry, dict):
            problems.append(f"{what}: not an object")
            continue
        article_no = _text(entry, "number", what, problems, 16)
        effective = _date(entry.get("effective_from"), what, problems)
        repealed = _date(entry.get("repealed_on"), what, problems, required=False)
        if effective and repealed and repealed <= effective:
            problems.append(f"{what}: repealed_on must be after effective_from")
        if (article_no, effective) in seen:
            problems.append(f"{what}: article {article_no} effective {effective} appears twice")
        seen.add((article_no, effective))
        versions.append(
            {
                "number": article_no,
                "effective_from": effective,
                "repealed_on": repealed,
                "order": int(entry.get("order") or 0),
                "title": _text(entry, "title", what, problems, 200),
                "text": _text(entry, "text", what, problems, 5000),
                # Only a file that says so carries the official wording; everything else is a summary.
                "is_summary": entry.get("official_text") is not True,
                "source": _text(entry, "source", what, problems, 300),
            }
        )
    effective_law = _date(data.get("effective_from"), "law", problems, required=False)
    if problems:
        raise AppError(FILE_INVALID, path=str(path), problems="; ".join(problems))
    with transaction.atomic():
        law, _created = Law.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "kind": kind,
                "issuer": str(data.get("issuer") or "")[:120],
                "document_number": str(data.get("document_number") or "")[:80],
                "effective_from": effective_law,
                "source": source,
                "note": str(data.get("note") or ""),
            },
        )
        for version in versions:
            article, _created = Article.objects.update_or_create(
                law=law,
                number=version.pop("number"),
                effective_from=version.pop("effective_from"),
                defaults=version,
            )
            index_article(article)
    return Loaded(path, title, len(versions))


def country_load(path: Path) -> Loaded:
    """Add or replace one country guide and each field its file gives."""
    data = _read(path)
    problems: list[str] = []
    code = _text(data, "code", "guide", problems, 8).upper()
    name = _text(data, "name", "guide", problems, 64)
    name_en = _text(data, "name_en", "guide", problems, 64)
    updated = _date(data.get("updated_on"), "guide", problems)
    fields = data.get("fields")
    entries: dict[str, tuple[str, str]] = {}
    if not isinstance(fields, dict) or not fields:
        problems.append("guide: fields must be an object with at least one field")
        fields = {}
    for key, entry in fields.items():
        if key not in GuideField.values:
            problems.append(f"field {key!r} is not one of {', '.join(GuideField.values)}")
            continue
        if not isinstance(entry, dict):
            problems.append(f"field {key}: not an object")
            continue
        entries[key] = (
            _text(entry, "text", f"field {key}", problems, 5000),
            _text(entry, "source", f"field {key}", problems, 300),
        )
    if problems or updated is None:
        raise AppError(FILE_INVALID, path=str(path), problems="; ".join(problems))
    with transaction.atomic():
        guide, _created = CountryGuide.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "updated_on": updated, "order": int(data.get("order") or 0)},
        )
        for key, (text, source) in entries.items():
            GuideEntry.objects.update_or_create(guide=guide, field=key, defaults={"text": text, "source": source})
        index_country(guide)
    return Loaded(path, name, len(entries))


def knowledge_load(paths: list[Path] | None = None) -> list[Loaded]:
    """The shipped laws and country guides, or the files named (a law file has ``articles``)."""
    if paths is None:
        paths = sorted(LAWS_DIR.glob("*.json")) + sorted(COUNTRIES_DIR.glob("*.json"))
    loaded = []
    for path in paths:
        data = _read(path)
        loaded.append(law_load(path) if "articles" in data else country_load(path))
    return loaded
