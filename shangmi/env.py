"""Settings read from the environment; a bad value stops start-up with a clear message."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# A header name starts with a letter: "1" (a habit from boolean settings) is refused, not
# taken for a header called "1" that no proxy sets (every request would then look like HTTP).
_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def env_proxy_header(name: str) -> tuple[str, str] | None:
    """A trusted proxy's HTTPS header, as Django's SECURE_PROXY_SSL_HEADER wants it.

    "X-Forwarded-Proto" means "X-Forwarded-Proto: https"; "Header=value" names the value too;
    unset or empty: None (no proxy is trusted).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, _, value = raw.partition("=")
    header, value = header.strip(), (value.strip() or "https")
    if not _HEADER.match(header):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a header name (e.g. X-Forwarded-Proto or X-Forwarded-Proto=https)"
        )
    return "HTTP_" + header.upper().replace("-", "_"), value
