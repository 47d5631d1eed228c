"""The audit never stops with a traceback, whatever a row holds: each malformed row is a finding.

SQLite stores any value in any column (type affinity), so a database administrator can put text
where an integer, bytes or a date belongs; PostgreSQL refuses most of these at write time (its
defence), and the values it takes must be findings there too. Each finding names the row.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError, IntegrityError, ProgrammingError, connection, transaction

from shangmi.evidence.audit import audit_log
from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Checkpoint, Deposit, KeyRotation, LogEntry, LogNode, LogState, node_key
from tests.evidence.factories import deposit_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_of_12(world):
    deposit_many(world.ent_admin_in, 8)
    log_sequence()
    deposit_many(world.ent_admin_in, 4, prefix="second")
    log_sequence()
    return world


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _set(model, column: str, value: object, where: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {_q(column)} = %s WHERE {where}", [value, *params])


ENTRY_3 = (_q("index") + " = %s", [3])
NODE = ("key = %s", [node_key(1, 2)])
CHECKPOINT_12 = ("size = %s", [12])
DEPOSIT_5 = ("leaf_index = %s", [5])

# (model, column, value, row, what the finding must say); the value is written as it stands.
CASES = [
    (LogEntry, "index", "three", ENTRY_3, "entry"),
    (LogEntry, "index", 3.5, ENTRY_3, "entry"),
    (LogEntry, "leaf_hash", "text", ENTRY_3, "entry 3"),
    (LogEntry, "data", 12345, ENTRY_3, "entry 3"),
    (LogEntry, "data", b"", ENTRY_3, "entry 3"),
    (LogEntry, "index", -3, ENTRY_3, "entry 3: missing"),
    (LogNode, "hash", "text", NODE, "node level 1 index 2"),
    (LogNode, "key", "a key", NODE, "node"),
    (Checkpoint, "root", "text", CHECKPOINT_12, "checkpoint 12"),
    (Checkpoint, "size", "twelve", CHECKPOINT_12, "checkpoint"),
    (Checkpoint, "note", b"\xff\xfe bytes", CHECKPOINT_12, "checkpoint"),
    (Deposit, "leaf_index", "five", DEPOSIT_5, "entry 5"),
    (Deposit, "commitment", "zz" * 32, DEPOSIT_5, "entry 5"),
    (Deposit, "sm3_commitment", 7, DEPOSIT_5, "entry 5"),
    (Deposit, "sequenced_at", "not a date", DEPOSIT_5, "entry 5"),
    (Deposit, "sequenced_at", "2026-13-45 99:99:99", DEPOSIT_5, "entry 5"),
    (LogState, "size", "twelve", ("id = %s", [1]), "log state"),
    (LogNode, "key", -1, NODE, "node level 1 index 2"),
]


@pytest.mark.parametrize(("model", "column", "value", "row", "named"), CASES)
def test_a_malformed_row_is_a_finding_not_a_traceback(log_of_12, model, column, value, row, named, capsys):
    assert audit_log().ok
    where, params = row
    if connection.vendor != "sqlite":
        # PostgreSQL refuses most wrong-typed values at write time: that refusal is its defence.
        # The values it does take (text in a text column, a negative index) must be findings.
        try:
            with transaction.atomic():
                _set(model, column, value, where, params)
        except (DataError, ProgrammingError, IntegrityError):
            return
    else:
        _set(model, column, value, where, params)
    result = audit_log()
    assert not result.ok
    if named:
        assert any(named in problem for problem in result.problems), result.problems
    with pytest.raises(CommandError):
        call_command("audit_evidence_log")
    capsys.readouterr()


def test_a_malformed_key_rotation_row_is_a_finding(log_of_12):
    KeyRotation.objects.create(size=12, note="not a note at all")
    assert "key rotation 1: never made by this signer — inserted" in "\n".join(audit_log().problems)
