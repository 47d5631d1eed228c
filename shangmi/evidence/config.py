"""The evidence log's settings that need checking beyond their type (read by settings.py)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from shangmi.env import env_list
from shangmi.evidence.note import NoteError
from shangmi.evidence.witness import WitnessKey


def witnesses_from_env(name: str) -> list[tuple[str, str]]:
    """Witnesses as ``<witness public key> <URL prefix>`` pairs, separated by commas.

    The key is checked here, so a typo stops start-up instead of silently leaving the log
    unwitnessed.
    """
    pairs = []
    for item in env_list(name, []):
        key, _, url = item.partition(" ")
        url = url.strip()
        try:
            WitnessKey.parse(key)
        except NoteError as exc:
            raise ImproperlyConfigured(f"{name}: {key!r} is not a witness key ({exc})") from exc
        if not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"{name}: witness {key.split('+')[0]!r} needs an http(s) URL after its key")
        pairs.append((key, url.rstrip("/")))
    return pairs
