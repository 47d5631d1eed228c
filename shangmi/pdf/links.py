"""The public address that printed QR codes open.

A QR code on paper outlives the request that printed it: one that opens 127.0.0.1 or localhost
sends whoever scans the page to their own phone, so such an address is never printed; the page
says instead that the verification address is not configured. The address comes from
``SHANGMI_PUBLIC_URL`` when set, else from the request (the host the reader used).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def is_local_address(url: str) -> bool:
    """True when url's host only means "this machine": loopback, localhost or unspecified."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def public_base_url(request: HttpRequest) -> str | None:
    """The platform's public address without a trailing slash, or None when the only address
    known is local (then no QR code may be printed)."""
    base = (settings.SHANGMI_PUBLIC_URL or "").strip() or request.build_absolute_uri("/")
    base = base.rstrip("/")
    return None if is_local_address(base) else base
