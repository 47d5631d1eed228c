"""Backups that restore: one archive with the database, the uploaded files and the evidence
log's signer state, the signing key beside them encrypted with a passphrase.

The database is read in one snapshot while the platform keeps serving: PostgreSQL through
``pg_dump --snapshot`` of a repeatable-read transaction that also counts every table, SQLite
through its online backup API into a file that is then counted. The manifest carries those
counts, and a restore checks the restored database against them.

The key is never in the archive in clear: a stolen archive must not be enough to sign
checkpoints. It is sealed with AES-256-GCM under a key derived from the passphrase (scrypt).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message

FORMAT = 1
MANIFEST = "manifest.json"
KEY_MEMBER = "evidence-key.enc"
MIN_PASSPHRASE = 12
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

PASSPHRASE_TOO_SHORT = Message(
    "backup_passphrase_too_short", _("The backup passphrase must have at least %(min)d characters.")
)
ARCHIVE_UNREADABLE = Message("backup_archive_unreadable", _("%(path)s is not a Shangmi backup archive: %(reason)s"))
WRONG_DATABASE = Message(
    "backup_wrong_database",
    _("The archive holds a %(archive)s database; this installation runs on %(here)s."),
)
WRONG_PASSPHRASE = Message(
    "backup_wrong_passphrase", _("The passphrase does not open the signing key in this archive; nothing was restored.")
)
TOOL_FAILED = Message("backup_tool_failed", _("%(tool)s failed: %(detail)s"))
COUNTS_DIFFER = Message(
    "backup_counts_differ",
    _("After the restore, table %(table)s holds %(found)d rows where the archive had %(expected)d."),
)


@dataclass
class Manifest:
    vendor: str
    created_at: str
    tables: dict[str, int]
    media_files: int = 0
    evidence_files: list[str] = field(default_factory=list)
    has_key: bool = False
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()


# --- the signing key, sealed -------------------------------------------------------------------


def both_languages(exc: AppError) -> str:
    """A command's refusal, for whoever reads the terminal: Chinese, then English."""
    with translation.override("zh-hans"):
        zh = exc.text
    with translation.override("en"):
        en = exc.text
    return f"{zh} / {en}"


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode())


def key_seal(data: bytes, passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise AppError(PASSPHRASE_TOO_SHORT, field="passphrase", min=MIN_PASSPHRASE)
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, data, KEY_MEMBER.encode())
    b64 = base64.b64encode
    doc = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "cipher": "AES-256-GCM"}
    doc.update(salt=b64(salt).decode(), nonce=b64(nonce).decode(), ciphertext=b64(sealed).decode())
    return json.dumps(doc).encode()


def key_open(blob: bytes, passphrase: str) -> bytes:
    doc = json.loads(blob)
    salt, nonce, sealed = (base64.b64decode(doc[k]) for k in ("salt", "nonce", "ciphertext"))
    try:
        return AESGCM(_derive(passphrase, salt)).decrypt(nonce, sealed, KEY_MEMBER.encode())
    except InvalidTag:
        raise AppError(WRONG_PASSPHRASE, field="passphrase") from None


# --- the database --------------------------------------------------------------------------------


def _pg_args() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres"]
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AppError(TOOL_FAILED, tool=cmd[0], detail=proc.stderr.strip()[-2000:])


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    return [row[0] for row in cursor.fetchall()]


def _count(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _dump_postgres(target: Path) -> dict[str, int]:
    """pg_dump of one snapshot, and every table's rows counted in that same snapshot."""
    import psycopg

    s = connection.settings_dict
    args, env = _pg_args()
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=s["NAME"], host=args[1], port=args[3], user=args[5], password=s["PASSWORD"] or None
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        if row is None:  # the function always returns a row; say so loudly if a server does not
            raise RuntimeError("pg_export_snapshot() returned no snapshot")
        snapshot = row[0]
        with conn.cursor() as cursor:
            counts = _count(cursor, _pg_tables(cursor), connection.ops.quote_name)
        # The transaction stays open while pg_dump reads: the snapshot lives as long as it does.
        _run(["pg_dump", *args, "-d", s["NAME"], "-Fc", f"--snapshot={snapshot}", "-f", str(target)], env)
        conn.execute("ROLLBACK")
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        return _count(copy.cursor(), _sqlite_tables(copy), connection.ops.quote_name)
    finally:
        copy.close()


def database_counts() -> dict[str, int]:
    """Rows of every table of the live database, as the manifest records them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = _pg_tables(cursor)
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            tables = [name for (name,) in cursor.fetchall()]
        return _count(cursor, tables, connection.ops.quote_name)


# --- the archive ----------------------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.SHANGMI_EVIDENCE_KEY_FILE)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _files_under(root: Path, *, leave_out: Path) -> list[Path]:
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.resolve() != leave_out.resolve():
            out.append(path)
    return out


def backup_create(*, output: Path, passphrase: str) -> Manifest:
    """Write one archive at ``output`` (first under a temporary name, so a failed backup never
    leaves a half archive where a whole one is expected)."""
    key = _key_file()
    sealed = key_seal(key.read_bytes(), passphrase) if key.exists() else None
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "postgresql":
            db_member, db_file = "database.pgdump", Path(tmp) / "database.pgdump"
            tables = _dump_postgres(db_file)
        else:
            db_member, db_file = "database.sqlite3", Path(tmp) / "database.sqlite3"
            tables = _dump_sqlite(db_file)
        media_root = Path(settings.MEDIA_ROOT)
        media = _files_under(media_root, leave_out=key)
        evidence = _files_under(key.parent, leave_out=key)
        manifest = Manifest(
            vendor=connection.vendor,
            created_at=timezone.now().isoformat(timespec="seconds"),
            tables=tables,
            media_files=len(media),
            evidence_files=[str(p.relative_to(key.parent)) for p in evidence],
            has_key=sealed is not None,
        )
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, manifest.to_json())
            tar.add(db_file, db_member)
            for path in media:
                tar.add(path, f"media/{path.relative_to(media_root)}")
            for path in evidence:
                tar.add(path, f"evidence/{path.relative_to(key.parent)}")
            if sealed is not None:
                _add_bytes(tar, KEY_MEMBER, sealed)
    partial.chmod(0o600)
    partial.replace(output)
    return manifest


def backup_read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            doc = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise AppError(
            ARCHIVE_UNREADABLE, field="archive", path=str(archive), reason=str(exc).splitlines()[0]
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AppError(ARCHIVE_UNREADABLE, field="archive", path=str(archive), reason="manifest")
    return Manifest(**doc)


def _extract_prefixed(tar: tarfile.TarFile, prefix: str, target: Path) -> None:
    for member in tar.getmembers():
        if member.name.startswith(prefix) and member.isfile():
            member.name = member.name[len(prefix) :]
            # The "data" filter refuses absolute paths, "..", links out of the target, devices.
            tar.extract(member, target, filter="data")


def _empty(folder: Path, *, keep: Path | None = None) -> None:
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if keep is not None and child.resolve() == keep.resolve():
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def backup_restore(*, archive: Path, passphrase: str | None) -> Manifest:
    """Replace the database, the uploaded files and the evidence key folder with the archive's.

    Checked before anything is changed: the archive reads, its database is of this
    installation's kind, the passphrase opens its key. Checked after: every table's rows.
    """
    manifest = backup_read_manifest(archive)
    if manifest.vendor != connection.vendor:
        raise AppError(WRONG_DATABASE, field="archive", archive=manifest.vendor, here=connection.vendor)
    with tarfile.open(archive, "r:*") as tar, tempfile.TemporaryDirectory() as tmp:
        key_bytes = None
        if manifest.has_key:
            sealed = tar.extractfile(KEY_MEMBER)
            if passphrase is None or sealed is None:
                raise AppError(WRONG_PASSPHRASE, field="passphrase")
            key_bytes = key_open(sealed.read(), passphrase)
        db_member = "database.pgdump" if manifest.vendor == "postgresql" else "database.sqlite3"
        tar.extract(db_member, tmp, filter="data")
        db_file = Path(tmp) / db_member
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            args, env = _pg_args()
            connection.close()
            _run(
                [
                    "pg_restore", *args, "-d", s["NAME"], "--clean", "--if-exists", "--no-owner",
                    "--no-privileges", "--single-transaction", "--exit-on-error", str(db_file),
                ],
                env,
            )  # fmt: skip
        else:
            connection.ensure_connection()
            source = sqlite3.connect(db_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

        media_root = Path(settings.MEDIA_ROOT)
        key = _key_file()
        _empty(media_root, keep=key.parent)
        media_root.mkdir(parents=True, exist_ok=True)
        _extract_prefixed(tar, "media/", media_root)
        _empty(key.parent)
        key.parent.mkdir(parents=True, exist_ok=True)
        key.parent.chmod(0o700)
        _extract_prefixed(tar, "evidence/", key.parent)
        if key_bytes is not None:
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key_bytes)

    found = database_counts()
    for table, expected in sorted(manifest.tables.items()):
        if found.get(table) != expected:
            raise AppError(COUNTS_DIFFER, table=table, found=found.get(table, -1), expected=expected)
    return manifest
