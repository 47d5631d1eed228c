"""The test database, reachable by another process (a real job worker, a real gunicorn).

On PostgreSQL the test database is a database like any other: the process is given its
name. SQLite's test database lives in this process's memory, so it is copied to a file with
SQLite's backup API for the process, and copied back afterwards for the test to read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from django.db import connection


class SharedDatabase:
    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        self.file = tmp_path / "shared.sqlite3"

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def export(self) -> None:
        """Make what this process wrote visible to the other process."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def reimport(self) -> None:
        """Make what the other process wrote visible to this one (and the ORM)."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the shared database now (while the other process runs), ``%s`` placeholders."""
        if self.vendor == "sqlite":
            db = sqlite3.connect(self.file, timeout=30)
            try:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                db.close()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
