"""The one path for writing many enterprises at once: rows, tag links and history together.

The import and the generated scale data both write here, so that every enterprise written in
bulk carries the history record (and the tags it had then) that ``save()`` and ``tags.set()``
would have left: history is evidence, and a bulk path that skipped it would be a hole in it.

On PostgreSQL new enterprises go in with four COPYs whose ids are drawn from the sequences
first, so history and tag rows point at them without reading anything back; on SQLite with
prepared INSERTs, batch by batch. Changed enterprises get one prepared UPDATE, a "~" history
record and, where their tags changed, their links replaced. The caller checks the rows and
holds the transaction (``enterprises_bulk_write`` opens one of its own as well, so a failure
anywhere leaves nothing behind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from shangmi.core.bulk import BATCH_SIZE, chunks, copy_rows, insert_rows, next_ids, update_rows

from .models import Enterprise

# Set by the database or by this module, never by the caller's values.
_MANAGED = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class NewEnterprise:
    """An enterprise to create: ``values`` maps attnames (``region_id``, ``park_id``…) to
    database-ready values; a field left out takes its model default (or NULL)."""

    values: dict[str, Any]
    tag_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class EnterpriseChange:
    """An existing enterprise to update with ``values`` (the columns to overwrite; its code,
    ``uscc``, is the key and is never overwritten, but goes into the history record).

    ``current`` is the row as read before the change (every attname not in ``values`` that the
    history record must carry: ``created_at``, ``liaison_officer_id``, ``guidance_officer_id``).
    """

    pk: int
    values: dict[str, Any]
    current: dict[str, Any]
    tag_ids: frozenset[int]
    tags_changed: bool


def _complete(values: dict[str, Any]) -> dict[str, Any]:
    """Every column of a new enterprise: the model default where the caller gave none."""
    full: dict[str, Any] = {}
    for field in Enterprise._meta.concrete_fields:
        if field.attname in _MANAGED:
            continue
        if field.attname in values:
            full[field.attname] = values[field.attname]
        else:
            # get_default(): the declared default, else "" for a text column that is not
            # nullable (as the ORM would write), else None.
            full[field.attname] = field.get_default()
    return full


def enterprises_bulk_write(
    *,
    user: Any,
    created: Sequence[NewEnterprise] = (),
    changed: Sequence[EnterpriseChange] = (),
) -> None:
    """Create ``created`` and update ``changed`` with their tags and history, all or nothing.

    ``user`` is recorded as the author of every history record (``None`` for generated data).
    """
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    with transaction.atomic():
        rows = [NewEnterprise(_complete(e.values), e.tag_ids) for e in created]
        if connection.vendor == "postgresql":
            _copy_created(rows, now, user_id)
        else:
            _insert_created(rows, now, user_id)
        _update_changed(changed, now, user_id)


def _history_model() -> type[models.Model]:
    return Enterprise.history.model


def _tag_history_model() -> type[models.Model] | None:
    from simple_history.models import HistoricalRecords

    for fld, model in HistoricalRecords.m2m_models.items():
        if fld.model is Enterprise and fld.name == "tags":
            return model
    return None


def _db(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _insert_created(rows: Sequence[NewEnterprise], now: datetime, user_id: int | None) -> None:
    """New enterprises with their tags and "+" history records, batch by batch (SQLite)."""
    through = Enterprise.tags.through
    now_db = _db(now)
    for batch in chunks(rows, BATCH_SIZE):
        insert_rows(Enterprise, [{**r.values, "created_at": now_db, "updated_at": now_db} for r in batch])
        ids = dict(Enterprise.objects.filter(uscc__in=[r.values["uscc"] for r in batch]).values_list("uscc", "pk"))
        insert_rows(
            _history_model(),
            [
                {
                    **r.values,
                    "id": ids[r.values["uscc"]],
                    "created_at": now_db,
                    "history_date": now_db,
                    "history_type": "+",
                    "history_user_id": user_id,
                }
                for r in batch
            ],
        )
        insert_rows(
            through,
            [{"enterprise_id": ids[r.values["uscc"]], "tag_id": t} for r in batch for t in sorted(r.tag_ids)],
        )
        _tag_history([(ids[r.values["uscc"]], r.tag_ids) for r in batch])


def _copy_created(rows: Sequence[NewEnterprise], now: datetime, user_id: int | None) -> None:
    """New enterprises with their tags and "+" history records (tags included): four COPYs.

    PostgreSQL only. The ids of the enterprises, history records and tag links are drawn from
    their sequences first, so the history and tag rows point at them without reading anything
    back.
    """
    if not rows:
        return
    history_model = _history_model()
    through = Enterprise.tags.through
    tag_history = _tag_history_model()
    fields = list(rows[0].values)  # _complete gave every row the same columns
    values = itemgetter(*fields)  # a row's values as a tuple, in C
    enterprise_ids = next_ids(Enterprise, len(rows))
    history_ids = next_ids(history_model, len(rows))
    # (enterprise id, history id, tag id) of every tag link, as save() + tags.set() would write.
    links = [
        (pk, history_id, tag_id)
        for row, pk, history_id in zip(rows, enterprise_ids, history_ids, strict=True)
        for tag_id in sorted(row.tag_ids)
    ]
    link_ids = next_ids(through, len(links))

    copy_rows(
        Enterprise,
        ["id", *fields, "created_at", "updated_at"],
        ((pk, *values(row.values), now, now) for row, pk in zip(rows, enterprise_ids, strict=True)),
    )
    copy_rows(
        history_model,
        ["history_id", "id", *fields, "created_at", "history_date", "history_type", "history_user_id"],
        (
            (history_id, pk, *values(row.values), now, now, "+", user_id)
            for row, pk, history_id in zip(rows, enterprise_ids, history_ids, strict=True)
        ),
    )
    copy_rows(
        through,
        ["id", "enterprise_id", "tag_id"],
        ((link_id, pk, tag_id) for link_id, (pk, _h, tag_id) in zip(link_ids, links, strict=True)),
    )
    if tag_history is not None:
        copy_rows(
            tag_history,
            ["id", "history_id", "enterprise_id", "tag_id"],
            (
                (link_id, history_id, pk, tag_id)
                for link_id, (pk, history_id, tag_id) in zip(link_ids, links, strict=True)
            ),
        )


# What a "~" history record copies from the row as it was, beside the changed values.
KEPT_ON_CHANGE = ("created_at", "liaison_officer_id", "guidance_officer_id")


def _update_changed(changed: Sequence[EnterpriseChange], now: datetime, user_id: int | None) -> None:
    if not changed:
        return
    through = Enterprise.tags.through
    now_db = _db(now)
    attnames = [a for a in changed[0].values if a not in _MANAGED and a != "uscc"]
    for batch in chunks(changed, BATCH_SIZE):
        update_rows(
            Enterprise,
            [*attnames, "updated_at"],
            [(*(c.values[a] for a in attnames), now_db, c.pk) for c in batch],
        )
        insert_rows(
            _history_model(),
            [
                {
                    **c.current,
                    **c.values,
                    "id": c.pk,
                    "created_at": _db(c.current["created_at"]),
                    "history_date": now_db,
                    "history_type": "~",
                    "history_user_id": user_id,
                }
                for c in batch
            ],
        )
        retagged = [(c.pk, c.tag_ids) for c in batch if c.tags_changed]
        if retagged:
            through.objects.filter(enterprise_id__in=[pk for pk, _t in retagged]).delete()
            insert_rows(
                through, [{"enterprise_id": pk, "tag_id": t} for pk, tag_ids in retagged for t in sorted(tag_ids)]
            )
        _tag_history([(c.pk, c.tag_ids) for c in batch])


def _tag_history(snapshots: list[tuple[int, frozenset[int]]]) -> None:
    """Each new history record of an enterprise carries the tags it had then, as save() would."""
    tag_history = _tag_history_model()
    if tag_history is None or not any(tags for _pk, tags in snapshots):
        return
    history_model: Any = _history_model()
    wanted = [pk for pk, tags in snapshots if tags]
    through = Enterprise.tags.through
    latest: dict[int, int] = {}
    links: list[tuple[int, int, int]] = []
    for chunk in chunks(wanted, 5000):
        for ent_id, history_id in (
            history_model.objects.filter(id__in=chunk).order_by("id", "history_id").values_list("id", "history_id")
        ):
            latest[ent_id] = history_id
        links.extend(through.objects.filter(enterprise_id__in=chunk).values_list("id", "enterprise_id", "tag_id"))
    insert_rows(
        tag_history,
        [
            {"id": link_id, "history_id": latest[pk], "enterprise_id": pk, "tag_id": tag_id}
            for link_id, pk, tag_id in links
            if pk in latest
        ],
    )
