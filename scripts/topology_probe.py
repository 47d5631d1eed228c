"""The browser's side of scripts/topology-test.sh: through nginx over HTTPS only.

Signs in (a form with its CSRF token, as a browser does), opens a list, imports a file large
enough to run as a background job and waits for a worker to finish it, takes an API token
and deposits a file's digests with the evidence client, waiting for the sequenced receipt.
Standard library only: it stands for any client on the bureau's network.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


class Browser:
    def __init__(self, base: str, cafile: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.HTTPSHandler(context=context)
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        if data is not None:
            request.add_header("Referer", self.base + path)
            request.add_header("Origin", self.base)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode(errors="replace")

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        self.open(path)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.open(path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, name: str, file: Path) -> tuple[int, str, str]:
        self.open(path)
        boundary = uuid.uuid4().hex
        head = f"--{boundary}\r\nContent-Disposition: form-data; "
        parts = [
            f'{head}name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file.name}"\r\n'.encode()
            + b"Content-Type: application/octet-stream\r\n\r\n"
            + file.read_bytes()
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self.open(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--import-file", type=Path, required=True)
    parser.add_argument("--import-rows", type=int, required=True)
    args = parser.parse_args()

    regulator = Browser(args.base, args.cafile)
    status, url, _ = regulator.post_form("/accounts/login/", {"username": "cq_regulator", "password": args.password})
    check(status == 200 and not url.endswith("/accounts/login/"), f"sign-in as cq_regulator lands on {url}")
    status, _, page = regulator.open("/enterprises/?sort=name")
    check(status == 200 and "<table" in page, "the enterprise list answers 200")
    status, url, page = regulator.post_file("/enterprises/import/", "file", args.import_file)
    job = re.search(r"/jobs/(\d+)/", url)
    check(status == 200 and job is not None, f"an import of {args.import_rows} rows becomes a background job ({url})")
    deadline = time.monotonic() + 180
    state = ""
    while time.monotonic() < deadline:
        _, _, fragment = regulator.open(f"/jobs/{job.group(1)}/", headers={"HX-Request": "true"})
        state = re.search(r'data-status="(\w+)"', fragment).group(1)
        if state in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    check(state == "succeeded", f"a job worker finished the import: {state}")

    token_request = urllib.parse.urlencode({"username": "enterprise_admin", "password": args.password}).encode()
    status, _, body = Browser(args.base, args.cafile).open("/api/v1/token/", token_request)
    check(status == 200, "an API token for enterprise_admin")
    token = json.loads(body)["token"]
    secret = args.import_file.parent / "配方.txt"
    secret.write_bytes(os.urandom(4096))
    receipts = args.import_file.parent / "receipts"
    env = {**os.environ, "SSL_CERT_FILE": args.cafile}
    cmd = [sys.executable, "-m", "shangmi.evidence", "deposit", str(secret), "--url", args.base, "--token", token]
    proc = subprocess.run([*cmd, "--wait", "120", "--out", str(receipts)], env=env, capture_output=True, text=True)
    print(proc.stdout + proc.stderr)
    receipt = list(receipts.glob("*.json"))
    check(proc.returncode == 0 and len(receipt) == 1, "a deposit through the proxy, sequenced by a job worker")
    check("checkpoint" in receipt[0].read_text(), "its receipt holds the signed checkpoint")


if __name__ == "__main__":
    main()
