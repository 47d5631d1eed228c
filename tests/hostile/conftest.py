"""The hostile-file suite: each file goes through the real pages of a live server.

Marked ``hostile`` and left out of the ordinary runs (a 1 GB zip bomb and a 100 MB CSV are
made and sent here): ``.ci/run`` runs it once as its own step, ``pytest -m hostile tests/hostile``.
"""

from __future__ import annotations

import html
import http.client
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from tests.conftest import World


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Only when asked for by marker (-m hostile): the ordinary runs leave these tests out."""
    if "hostile" in (config.option.markexpr or ""):
        return
    left_out = [item for item in items if item.get_closest_marker("hostile")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("hostile")]


@dataclass
class Response:
    status: int
    text: str  # the body, HTML entities decoded


class Browser:
    """A signed-in visitor over real HTTP (http.client): files are streamed from disk."""

    def __init__(self, base_url: str, session: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        # Django accepts a CSRF token equal to the cookie's secret, as a header.
        self.csrf = secrets.token_hex(16)
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}; django_language=en"

    def _send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            reply = connection.getresponse()
            return Response(reply.status, html.unescape(reply.read().decode("utf-8", "replace")))
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self._send("GET", path)

    def post(
        self, path: str, fields: dict[str, Any], files: dict[str, tuple[str, Path | bytes]] | None = None
    ) -> Response:
        headers = {"X-CSRFToken": self.csrf, "Referer": f"http://{self.host}:{self.port}{path}"}
        if not files:
            body = urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self._send("POST", path, body, headers)
        boundary = uuid.uuid4().hex
        head = b""
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                head += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n').encode()
        parts: list[bytes | Path] = [head]
        for name, (filename, content) in files.items():
            parts.append(
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n"
                ).encode()
            )
            parts.append(content)
            parts.append(b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        length = sum(p.stat().st_size if isinstance(p, Path) else len(p) for p in parts)

        def stream() -> Iterator[bytes]:
            for part in parts:
                if isinstance(part, Path):
                    with part.open("rb") as fh:
                        while block := fh.read(1 << 20):
                            yield block
                else:
                    yield part

        headers.update({"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)})
        return self._send("POST", path, stream(), headers)


@pytest.fixture
def hostile_world(transactional_db: None, live_server: Any) -> World:
    return World()


@pytest.fixture
def as_user(live_server: Any, hostile_world: World):
    """as_user(user) -> a Browser signed in as ``user`` on the live server."""

    def sign_in(user: Any) -> Browser:
        client = Client()
        client.force_login(user)
        return Browser(live_server.url, client.cookies["sessionid"].value)

    return sign_in
