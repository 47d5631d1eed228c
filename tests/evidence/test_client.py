"""The command-line client against a live server: only digests leave the machine.

The client runs in-process (``main([...])``) over real HTTP to the live server, with
urllib's opener wrapped to record every request body it sends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from shangmi.evidence.__main__ import main
from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Deposit
from tests.conftest import World

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_world(transactional_db, live_server):
    world = World()
    world.url = live_server.url
    world.token = Token.objects.create(user=world.ent_admin_in).key
    return world


@pytest.fixture
def sent(monkeypatch) -> list[bytes]:
    bodies: list[bytes] = []
    real = urllib.request.urlopen

    def recording(request, *args, **kwargs):
        if isinstance(request, urllib.request.Request) and request.data:
            bodies.append(bytes(request.data))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", recording)
    return bodies


def _files(root: Path) -> list[Path]:
    folder = root / "图纸"
    (folder / "sub").mkdir(parents=True)
    big = root / "formula.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024) + b"MARKER-CONFIDENTIAL-FORMULA" + os.urandom(4096))
    (folder / "a.txt").write_text("隔膜配方：聚乙烯 62%，二氧化硅 38%", encoding="utf-8")
    (folder / "sub" / "b.txt").write_bytes(os.urandom(70_000))
    return [big, folder]


def test_deposit_sends_only_digests_and_receipts_verify_offline(live_world, sent, tmp_path, capsys):
    paths = _files(tmp_path)
    out = tmp_path / "receipts"
    code = main(
        [
            "deposit",
            *map(str, paths),
            "--url",
            live_world.url,
            "--token",
            live_world.token,
            "--out",
            str(out),
            "--project",
            "隔膜二期",
            "--secret-point",
            "配方",
        ]
    )
    assert code == 0, capsys.readouterr()
    assert Deposit.objects.filter(enterprise=live_world.ent_in, project="隔膜二期").count() == 3
    assert {d.source for d in Deposit.objects.all()} == {"client"}

    # No request body carries any part of any file: check every 64-byte window of the small
    # files and many windows of the large one, and the total size sent.
    contents = [p.read_bytes() for p in [paths[0], *sorted(q for q in paths[1].rglob("*") if q.is_file())]]
    assert sum(len(b) for b in sent) < 10_000
    for body in sent:
        assert b"MARKER-CONFIDENTIAL" not in body
        for content in contents:
            for start in range(0, max(1, len(content) - 64), 997):
                assert content[start : start + 64] not in body
    assert "隔膜配方".encode() not in b"".join(sent)

    log_sequence()
    receipts = sorted(out.glob("*.receipt.json"))
    assert len(receipts) == 3
    deposit_id = json.loads(receipts[0].read_text())["deposit"]["id"]
    assert main(["receipt", deposit_id, "--url", live_world.url, "--token", live_world.token, "--out", str(out)]) == 0
    capsys.readouterr()

    key = urllib.request.urlopen(f"{live_world.url}/evidence/log/key/").read().decode().strip()
    upgraded = next(p for p in out.glob("*.receipt.json") if deposit_id[:8] in p.name)
    receipt = json.loads(upgraded.read_text())
    assert receipt["status"] == "sequenced"
    original = next(
        p for p in [paths[0], *paths[1].rglob("*")] if p.is_file() and p.name in receipt["deposit"]["file_name"]
    )

    # The verifier runs in a fresh process with no Django settings and no database.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    run = [sys.executable, "-m", "shangmi.evidence", "verify", "--receipt", str(upgraded), "--log-key", key]
    ok = subprocess.run([*run, "--file", str(original)], capture_output=True, text=True, cwd=REPO, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VERIFIED" in ok.stdout and "验证通过" in ok.stdout
    changed = tmp_path / "changed"
    changed.write_bytes(original.read_bytes() + b" ")
    bad = subprocess.run([*run, "--file", str(changed)], capture_output=True, text=True, cwd=REPO, env=env)
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stdout


def test_a_bad_token_is_a_clear_error_and_deposits_nothing(live_world, tmp_path, capsys):
    f = tmp_path / "x.txt"
    f.write_text("x")
    code = main(["deposit", str(f), "--url", live_world.url, "--token", "wrong", "--out", str(tmp_path)])
    assert code == 2 and "HTTP 401" in capsys.readouterr().err
    assert not Deposit.objects.exists()


def test_verify_cli_without_django_imports_no_django(tmp_path):
    probe = "import sys, shangmi.evidence.__main__, shangmi.evidence.verify; print('django' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, env=env)
    assert result.stdout.strip() == "False", result.stderr
