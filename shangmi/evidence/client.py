"""The command-line client's side of a deposit: hash locally, send digests, keep receipts.

Only the standard library and this package's pure modules: the client runs on an
enterprise's machine with no Django and no database, and sends nothing but JSON of digests
and metadata (tests/evidence/test_client.py proves no file byte leaves).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shangmi.evidence.verify import digest_file

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
) -> list[Path]:
    """Deposit every file under ``paths``; write one receipt JSON per file into ``out_dir``."""
    items = []
    for path, name in iter_files(paths):
        digests = digest_file(path, with_sm3=with_sm3)
        items.append(
            {
                "title": title or name,
                "file_name": name,
                "file_size": digests.size,
                "sha256": digests.sha256.hex(),
                "sm3": digests.sm3.hex() if digests.sm3 else "",
                # The salt is drawn here, on the enterprise's machine; the platform keeps a copy
                # only so the enterprise can download its receipt again.
                "salt": secrets.token_hex(32),
                "secret_point": secret_point,
                "project": project,
                "version_note": version_note,
                "previous": previous,
            }
        )
    if not items:
        raise ClientError("no files to deposit")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for start in range(0, len(items), BATCH):
        answer = api.call("POST", "/api/v1/evidence/deposits/", {"deposits": items[start : start + BATCH]})
        for receipt in answer["receipts"]:
            if wait:
                receipt = wait_sequenced(api, receipt["deposit"]["id"], wait) or receipt
            written.append(save_receipt(receipt, out_dir))
    return written


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
