"""Response headers that keep pages safe in the browser and out of shared caches.

- A Content-Security-Policy that the pages satisfy: scripts only from this site's own static
  files (no inline script, no inline event handler, no eval: behaviour is bound from data
  attributes by static/shangmi/app.js, and htmx runs with allowEval off), WebAssembly for
  the in-browser hashing of evidence, styles from the site (inline style attributes allowed:
  they cannot run code), nothing framed, forms posted only here.
- ``Cache-Control: no-store`` on every response to a signed-in person (pages, exports,
  downloads) that did not set its own: a shared or back-button cache must not keep an
  enterprise's records after the person signed out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
