"""Deposits made the way clients make them: digests of real bytes, never the bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from shangmi.evidence.leaf import sm3
from shangmi.evidence.services import DepositInput, deposits_create


def digests_of(content: bytes) -> tuple[str, str]:
    return hashlib.sha256(content).hexdigest(), sm3(content).hexdigest()


def deposit_bytes(user: Any, content: bytes, title: str = "配方", **extra: Any) -> Any:
    sha, sm = digests_of(content)
    return deposits_create(user=user, items=[DepositInput(title=title, sha256=sha, sm3=sm, **extra)])[0]


def deposit_many(user: Any, count: int, prefix: str = "doc") -> list[Any]:
    items = []
    for n in range(count):
        sha, sm = digests_of(f"{prefix}-{n}".encode())
        items.append(DepositInput(title=f"{prefix} {n}", sha256=sha, sm3=sm, file_name=f"{prefix}-{n}.txt"))
    return deposits_create(user=user, items=items)
