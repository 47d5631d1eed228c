"""How fast the Chinese search answers at scale, against raw SQL of the same lookup (no test: a measurement).

    .venv/bin/python -m benchmarks.knowledge_search --size 100000            # fresh SQLite in var/bench/knowledge
    DATABASE_URL=postgres://.../DB .venv/bin/python -m benchmarks.knowledge_search --size 100000 --keep-db

Builds ``size`` published entries of generated Chinese text (a few sentences drawn from the
vocabulary of the program's documents), segmented by the same ``index_words`` the platform
uses and written in bulk; then times, for a few queries, ``knowledge.search.search`` (the
platform's path: segmentation, the inverted index, the visibility filter, the ORM) against the
floor of one hand-written SQL statement doing the same lookup, and against a ``LIKE '%word%'``
scan of the entries' text, which is what a search without the index would do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = 2000

PHRASES = [
    "侵犯商业秘密罪", "竞业限制协议", "保密协议", "经济补偿", "涉密人员", "涉密载体", "离职交接", "技术信息",
    "经营信息", "反向工程", "举证责任", "行政处罚", "罚款", "没收违法所得", "情节严重", "权利人", "保密措施",
    "电子数据", "证据固定", "司法鉴定", "典型案例", "风险提示", "出口企业", "知识产权", "示范基地", "联络点",
    "培训", "服务月", "园区", "合规制度", "密点", "定密", "解密", "访问控制", "客户名单", "工艺参数", "源代码",
    "配方", "图纸", "设备", "市场监管局", "人民法院", "调解", "仲裁", "律师事务所", "保险",
]  # fmt: skip
RARE = "量子纠缠"


def _text(rng: random.Random) -> tuple[str, str]:
    words = rng.sample(PHRASES, 8)
    title = f"{words[0]}与{words[1]}{rng.choice(['案', '指引', '提示', '资讯'])}"
    body = "；".join(f"关于{a}的{b}" for a, b in zip(words[2::2], words[3::2], strict=False)) + "。"
    return title, body


def build(size: int, seed: int = 1) -> float:
    """Write ``size`` published entries and their words; returns the seconds it took."""
    from django.db import transaction

    from shangmi.knowledge.models import SearchEntry, SearchToken
    from shangmi.knowledge.search import index_words

    rng = random.Random(seed)
    started = time.perf_counter()
    next_id = 1
    for start in range(0, size, BATCH):
        count = min(BATCH, size - start)
        texts = [_text(rng) for _ in range(count)]
        if start == 0:
            texts[0] = (f"{RARE}的{texts[0][0]}", texts[0][1])  # one entry holds the rare word
        with transaction.atomic():
            entries = SearchEntry.objects.bulk_create(
                [
                    SearchEntry(
                        kind=SearchEntry.Kind.NEWS, object_id=next_id + i, title=title, excerpt=body[:300],
                        url=f"/b/{next_id + i}/", public_url=f"/b/{next_id + i}/", published=True,
                    )
                    for i, (title, body) in enumerate(texts)
                ]
            )  # fmt: skip
            if entries[0].pk is None:  # SQLite before 3.35 returns no ids: read them back
                entries = list(SearchEntry.objects.filter(object_id__gte=next_id).order_by("object_id"))
            SearchToken.objects.bulk_create(
                [
                    SearchToken(entry_id=entry.pk, token=word)
                    for entry, (title, body) in zip(entries, texts, strict=True)
                    for word in index_words(f"{title}\n{body}")
                ],
                batch_size=5000,
            )
        next_id += count
    return time.perf_counter() - started


def _floor_sql(words: list[str]) -> tuple[str, list[Any]]:
    marks = ", ".join(["%s"] * len(words))
    sql = (
        "SELECT e.id FROM knowledge_searchentry e JOIN ("
        f" SELECT entry_id FROM knowledge_searchtoken WHERE token IN ({marks})"
        " GROUP BY entry_id HAVING COUNT(DISTINCT token) = %s) m ON m.entry_id = e.id"
        " WHERE e.published ORDER BY e.kind, e.title, e.id LIMIT 50"
    )
    return sql, [*words, len(words)]


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and fastest of ``repeat`` runs in ms (the machine is shared: the fastest is the
    least disturbed), after one warm-up run (jieba's dictionary, Django's caches)."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, min(times) * 1000, result


def measure(queries: list[str], repeat: int) -> list[dict[str, Any]]:
    from django.db import connection

    from shangmi.knowledge.search import query_words, search

    rows = []
    for query in queries:
        words = query_words(query)
        platform_ms, platform_min, found = _timed(lambda q=query: search(q, None).entries, repeat)
        sql, params = _floor_sql(words)

        def floor(sql: str = sql, params: list[Any] = params) -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        floor_ms, floor_min, floor_rows = _timed(floor, repeat)
        like = " AND ".join(["(title LIKE %s OR excerpt LIKE %s)"] * len(words))
        like_params = [p for w in words for p in (f"%{w}%", f"%{w}%")]

        def scan(like: str = like, like_params: list[Any] = like_params) -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM knowledge_searchentry WHERE published AND {like}"
                    " ORDER BY kind, title, id LIMIT 50",
                    like_params,
                )
                return cursor.fetchall()

        scan_ms, scan_min, _rows = _timed(scan, max(1, repeat // 3))
        assert [e.pk for e in found] == [r[0] for r in floor_rows], "the platform and the floor disagree"
        rows.append(
            {
                "query": query, "words": words, "found": len(found),
                "platform_ms": round(platform_ms, 2), "platform_min_ms": round(platform_min, 2),
                "raw_sql_floor_ms": round(floor_ms, 2), "raw_sql_floor_min_ms": round(floor_min, 2),
                "like_scan_ms": round(scan_ms, 2), "like_scan_min_ms": round(scan_min, 2),
            }
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep-db", action="store_true", help="use DATABASE_URL as it is (no fresh SQLite)")
    args = parser.parse_args()
    if not args.keep_db:
        workdir = ROOT / "var" / "bench" / "knowledge"
        workdir.mkdir(parents=True, exist_ok=True)
        db = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    os.environ.setdefault("SHANGMI_SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("SHANGMI_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shangmi.knowledge.models import SearchToken

    call_command("migrate", verbosity=0, interactive=False)
    build_s = build(args.size)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_searchentry; ANALYZE knowledge_searchtoken")
    queries = ["商业秘密", "竞业限制 经济补偿", "侵犯商业秘密罪 典型案例", RARE]
    figures = {
        "vendor": connection.vendor,
        "entries": args.size,
        "tokens": SearchToken.objects.count(),
        "build_s": round(build_s, 1),
        "load_average": os.getloadavg(),
        "queries": measure(queries, args.repeat),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
