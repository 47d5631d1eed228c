"""Bulk writes for imports and generated data: the rows go in as the database takes them fastest.

The ORM's ``bulk_create`` spends most of its time preparing each value of each row one by one,
and on PostgreSQL psycopg's ``executemany`` sends one INSERT per row, each parsed and planned
by the server. Here every value is already what the driver takes: rows are COPYed on
PostgreSQL and inserted with one prepared statement run with ``executemany`` on SQLite (which
measured faster there than multi-row VALUES; see BENCHMARKS.md). An app that writes many rows
of one model wraps these in one service of its own (``enterprises.bulk`` is the example), so
that history rows and links are written by one path, not by each caller.

These functions write what they are given: checking the rows, scoping the writer and the
transaction around them belong to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection, models

T = TypeVar("T")

BATCH_SIZE = 2000


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quote(name: str | None) -> str:
    # Every column written here is a concrete one, which always has a name.
    assert name is not None
    return str(connection.ops.quote_name(name))


def _column(model: type[models.Model], attname: str) -> str:
    field = model._meta.get_field(attname)
    assert isinstance(field, models.Field), f"{attname} is not a concrete field"
    return _quote(field.column)


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, batch_size: int = BATCH_SIZE) -> None:
    """INSERT rows given as attname → database-ready value; an auto primary key left out of a
    row is drawn by the database, and any other column left out is NULL."""
    if not rows:
        return
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.get_internal_type().endswith("AutoField"))
    ]
    names = [f.attname for f in fields]
    if connection.vendor == "postgresql":
        copy_rows(model, names, (tuple(row.get(n) for n in names) for row in rows))
        return
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        _quote(model._meta.db_table),
        ", ".join(_quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for chunk in chunks(rows, batch_size):
            cursor.executemany(sql, [tuple(row.get(n) for n in names) for row in chunk])


def copy_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Stream ``rows`` (values in ``attnames`` order) into ``model``'s table with one COPY.

    Columns left out (an identity primary key) take their default. PostgreSQL only.
    """
    columns = ", ".join(_column(model, a) for a in attnames)
    # wrap_database_errors: a failing COPY raises django.db.IntegrityError & co, as an INSERT would.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(f"COPY {_quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def next_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` new primary keys of ``model``, drawn from its PostgreSQL sequence in one query.

    nextval() moves the sequence past them, so rows COPYed with these ids and later ORM
    inserts cannot collide (a rollback leaves a gap in the ids, as any rolled-back INSERT does).
    """
    if n == 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_quote(model._meta.db_table), pk.column])
        row = cursor.fetchone()
        assert row is not None
        # The sequence as a constant: pg_get_serial_sequence() inside the row loop costs 8x more.
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [row[0], n])
        return sorted(int(value) for (value,) in cursor.fetchall())


def update_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    batch_size: int = BATCH_SIZE,
) -> None:
    """UPDATE the rows given as (value for each of ``attnames``…, primary key).

    One prepared UPDATE run with executemany: ``bulk_update()`` writes CASE WHEN … per column
    and grows quadratically with the batch; this grows linearly.
    """
    if not rows:
        return
    pk = model._meta.pk
    assert pk is not None
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        _quote(model._meta.db_table),
        ", ".join(f"{_column(model, a)} = %s" for a in attnames),
        _quote(pk.column),
    )
    with connection.cursor() as cursor:
        for chunk in chunks(rows, batch_size):
            cursor.executemany(sql, [tuple(row) for row in chunk])
