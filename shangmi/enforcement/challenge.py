"""A challenge against bots that needs no outside service: a small sum, signed by the server.

The question travels with its signed answer-less token; the answer is checked against the
signature, and a token is good for an hour. With the hourly limit per address and the hidden
field people never fill, it keeps scripted reports out without sending anyone's data away.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing

SALT = "shangmi.enforcement.clue-challenge"
MAX_AGE = 3600


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def challenge_issue() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return Challenge(question=f"{a} + {b} = ?", token=signing.dumps({"s": a + b, "n": secrets.token_hex(4)}, salt=SALT))


def challenge_passed(token: str, answer: str) -> bool:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # also an expired token
        return False
    return str(answer).strip() == str(data.get("s"))
