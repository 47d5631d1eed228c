"""How fast the browser hashes a file for evidence deposit (hash-wasm SHA-256 and SM3).

    python -m benchmarks.browser_hash http://127.0.0.1:8000 [SIZE_MB]

Opens the public verify page of a running server (it loads hash-wasm and
``window.shangmiEvidence``) in headless Chromium, launched as tests/browser/conftest.py
launches it, builds a Blob of SIZE_MB in the page and times ``shangmiEvidence.digestFile``
on it: SHA-256 alone, then SHA-256 with SM3 (what the deposit page does). Web Crypto's
``crypto.subtle.digest`` is left out: it exists only in a secure context (https or
localhost), and the platform runs on plain http on intranets.

A measurement, not a test: nothing here asserts a speed. Needs Playwright, not pytest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from typing import Any

# Debian's Chromium and the flags it needs on a closed network; tests/browser/conftest.py
# launches it with these same values.
CHROMIUM = os.environ.get("SHANGMI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MIB = 1024 * 1024

# One random 1 MiB block, repeated size_mb times with the part's number written into its
# first 4 bytes (so no two MiB are alike); the block comes back base64-encoded when asked,
# so that the caller can recompute the digests.
_MEASURE_JS = """
async ({sizeMb, returnBlock}) => {
  const MIB = 1024 * 1024;
  const block = new Uint8Array(MIB);
  for (let i = 0; i < MIB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  const parts = [];
  for (let i = 0; i < sizeMb; i++) {
    parts.push(new Uint32Array([i]));
    parts.push(block.subarray(4));
  }
  const file = new File([new Blob(parts)], "x");
  // Warm up: the first call instantiates the WebAssembly modules.
  await shangmiEvidence.digestFile(new File([block.subarray(0, 1024)], "w"), null, true);
  let start = performance.now();
  const sha = await shangmiEvidence.digestFile(file, null, false);
  const shaSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const both = await shangmiEvidence.digestFile(file, null, true);
  const bothSeconds = (performance.now() - start) / 1000;
  let blockB64 = null;
  if (returnBlock) {
    let text = "";
    for (let i = 0; i < MIB; i += 0x8000) text += String.fromCharCode.apply(null, block.subarray(i, i + 0x8000));
    blockB64 = btoa(text);
  }
  return {
    size: file.size, shaSeconds, bothSeconds, sha256: sha.sha256, sha256Again: both.sha256, sm3: both.sm3,
    userAgent: navigator.userAgent, blockB64,
  };
}
"""


def expected_digests(block: bytes, size_mb: int) -> tuple[str, str]:
    """SHA-256 and SM3 of the bytes the page hashed, recomputed here."""
    sha, sm3 = hashlib.sha256(), hashlib.new("sm3")
    for i in range(size_mb):
        part = i.to_bytes(4, "little") + block[4:]
        sha.update(part)
        sm3.update(part)
    return sha.hexdigest(), sm3.hexdigest()


def measure_page(page: Any, size_mb: int, *, check: bool = False) -> dict[str, Any]:
    """Time digestFile in a Playwright page that has loaded evidence.js (the verify page does).

    With ``check``, the digests are recomputed in Python and ``digests_match`` says whether
    the browser got them right.
    """
    page.wait_for_function("() => window.shangmiEvidence && window.hashwasm")
    raw = page.evaluate(_MEASURE_JS, {"sizeMb": size_mb, "returnBlock": check})
    mib = raw["size"] / MIB
    result: dict[str, Any] = {
        "size_mb": size_mb,
        "sha256_seconds": round(raw["shaSeconds"], 3),
        "sha256_sm3_seconds": round(raw["bothSeconds"], 3),
        "sha256_mb_s": round(mib / raw["shaSeconds"], 1) if raw["shaSeconds"] else None,
        "sha256_sm3_mb_s": round(mib / raw["bothSeconds"], 1) if raw["bothSeconds"] else None,
        "sha256": raw["sha256"],
        "sm3": raw["sm3"],
        "user_agent": raw["userAgent"],
    }
    if check:
        sha, sm3 = expected_digests(base64.b64decode(raw["blockB64"]), size_mb)
        result["digests_match"] = raw["sha256"] == sha == raw["sha256Again"] and raw["sm3"] == sm3
    return result


def run(live_url: str, size_mb: int = 256, *, check: bool = False) -> dict[str, Any]:
    """Launch headless Chromium, open ``live_url``/evidence/verify/ and measure; MB/s is MiB/s."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(600_000)
            page.goto(f"{live_url.rstrip('/')}/evidence/verify/")
            return {"url": live_url, **measure_page(page, size_mb, check=check)}
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    positional = [a for a in args if not a.startswith("-")]
    if not positional or "-h" in args or "--help" in args:
        print("usage: python -m benchmarks.browser_hash URL [SIZE_MB] [--check]")
        return 0 if positional else 2
    size = int(positional[1]) if len(positional) > 1 else 256
    print(json.dumps(run(positional[0], size, check="--check" in args), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
