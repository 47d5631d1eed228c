"""The command-line client's side of a deposit: hash locally, send digests, keep receipts.

Only the standard library and this package's pure modules: the client runs on an
enterprise's machine with no Django and no database, and sends nothing but JSON of digests
and metadata (tests/evidence/test_client.py proves no file byte leaves).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shangmi.evidence.leaf import derive_salt, parse_deposit_key, sha256_commitment, sm3_commitment
from shangmi.evidence.verify import FileDigests, digest_file

BATCH = 500


class ClientError(RuntimeError):
    pass


@dataclass
class Api:
    base_url: str
    token: str
    timeout: float = 60.0

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:2000]
            raise ClientError(f"HTTP {exc.code} {path}: {detail}") from exc
        except urllib.error.URLError as exc:
            raise ClientError(f"cannot reach {self.base_url}: {exc.reason}") from exc


def iter_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Each file with its display name; a folder gives every file inside it, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield child, str(child.relative_to(path.parent))
        elif path.is_file():
            yield path, path.name
        else:
            raise ClientError(f"not a file or folder: {path}")


def deposit_paths(
    api: Api,
    paths: Sequence[Path],
    *,
    out_dir: Path,
    title: str = "",
    secret_point: str = "",
    project: str = "",
    version_note: str = "",
    previous: str | None = None,
    with_sm3: bool = True,
    wait: float = 0.0,
    deposit_key: bytes | None = None,
    escrow: bool = False,
) -> list[Path]:
    """Deposit every file under ``paths``; write one receipt JSON per file into ``out_dir``.

    With the enterprise's ``deposit_key`` each salt is derived from it and the file (a lost
    receipt is rebuilt from both), and only the salted commitments are sent, unless ``escrow``
    asks the platform to keep the digests and salt too. Without a key a random salt is drawn
    here and must be escrowed, or a lost receipt could never be opened again.
    """
    items = []
    secrets_kept: list[tuple[FileDigests, bytes]] = []
    for path, name in iter_files(paths):
        digests = digest_file(path, with_sm3=with_sm3)
        salt = derive_salt(deposit_key, digests.sha256) if deposit_key else secrets.token_bytes(32)
        item: dict[str, Any] = {
            "title": title or name,
            "file_name": name,
            "file_size": digests.size,
            "secret_point": secret_point,
            "project": project,
            "version_note": version_note,
            "previous": previous,
        }
        if escrow or deposit_key is None:
            item.update(sha256=digests.sha256.hex(), sm3=digests.sm3.hex() if digests.sm3 else "", salt=salt.hex())
        else:
            item.update(
                commitment=sha256_commitment(salt, digests.sha256).hex(),
                sm3_commitment=sm3_commitment(salt, digests.sm3).hex() if digests.sm3 else "",
            )
        items.append(item)
        secrets_kept.append((digests, salt))
    if not items:
        raise ClientError("no files to deposit")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for start in range(0, len(items), BATCH):
        answer = api.call("POST", "/api/v1/evidence/deposits/", {"deposits": items[start : start + BATCH]})
        for receipt, (digests, salt) in zip(answer["receipts"], secrets_kept[start : start + BATCH], strict=True):
            if wait:
                receipt = wait_sequenced(api, receipt["deposit"]["id"], wait) or receipt
            written.append(save_receipt(complete_receipt(receipt, digests, salt), out_dir))
    return written


def complete_receipt(receipt: dict[str, Any], digests: FileDigests, salt: bytes) -> dict[str, Any]:
    """The platform's receipt with the salt and digests it does not hold filled in from here.

    Refuses a salt or digests that do not open the receipt's commitment: a receipt completed
    with the wrong file or key would fail later, in front of a judge.
    """
    if sha256_commitment(salt, digests.sha256).hex() != receipt["commitment"]:
        raise ClientError(
            "this file and deposit key do not open the deposit's commitment / 文件或存证密钥与该存证的承诺不符"
        )
    completed = dict(receipt)
    completed["digests"] = {"sha256": digests.sha256.hex(), "sm3": digests.sm3.hex() if digests.sm3 else None}
    completed["salt"] = salt.hex()
    return completed


def rebuild_receipt(api: Api, deposit_id: str, file: Path, deposit_key: bytes) -> dict[str, Any]:
    """A lost receipt again: the platform's public part, completed from the file and the key."""
    digests = digest_file(file)
    return complete_receipt(fetch_receipt(api, deposit_id), digests, derive_salt(deposit_key, digests.sha256))


def new_deposit_key(path: Path) -> bytes:
    """Write a new enterprise deposit key (mode 0600); refuses to overwrite one."""
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def read_deposit_key(value: str) -> bytes:
    """A deposit key given as its 64 hexadecimal characters or as the file holding them."""
    path = Path(value)
    return parse_deposit_key(path.read_text(encoding="ascii") if path.is_file() else value)


def fetch_receipt(api: Api, deposit_id: str) -> dict[str, Any]:
    return api.call("GET", f"/api/v1/evidence/deposits/{deposit_id}/receipt/")


def wait_sequenced(api: Api, deposit_id: str, seconds: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + seconds
    while True:
        receipt = fetch_receipt(api, deposit_id)
        if receipt["status"] == "sequenced" or time.monotonic() >= deadline:
            return receipt
        time.sleep(0.5)


def save_receipt(receipt: dict[str, Any], out_dir: Path) -> Path:
    name = Path(receipt["deposit"]["file_name"] or receipt["deposit"]["title"]).name
    path = out_dir / f"{name}.{receipt['deposit']['id'][:8]}.receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
