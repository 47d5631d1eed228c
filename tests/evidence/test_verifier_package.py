"""The standalone verifier: installed with pip into a clean virtual environment (no network, no
Django), it verifies a receipt and its monitor follows a live server and catches a rollback."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from shangmi.evidence.log import log_sequence, log_verifier_key
from shangmi.evidence.models import Checkpoint, Deposit, LogEntry, LogNode, LogState
from shangmi.evidence.receipts import receipt_for
from tests.evidence.factories import deposit_bytes, deposit_many

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_verifier  # noqa: E402

DEPENDENCIES = ("cryptography", "cffi", "_cffi_backend", "asn1crypto", "pycparser")


def test_the_package_copies_are_fresh():
    for name in build_verifier.COPIED:
        copy = (build_verifier.PACKAGE / name).read_text(encoding="utf-8")
        assert copy == build_verifier.copy_text(name), f"run python scripts/build_verifier.py ({name} is stale)"
        assert not re.search(r"^\s*(from|import) shangmi[. ]", copy, re.MULTILINE), name


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory) -> Path:
    """A new virtual environment with only the verifier package and its two dependencies."""
    base = tmp_path_factory.mktemp("verifier-venv")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from this machine's environment, linked one by one: no network,
    # and nothing else of ours (Django, the platform) becomes importable.
    deps = base / "deps"
    deps.mkdir()
    for name in DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        origin = Path(spec.origin)
        target = origin.parent if origin.name == "__init__.py" else origin
        (deps / target.name).symlink_to(target)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "verifier-deps.pth").write_text(str(deps) + "\n")
    source = base / "verifier-src"
    shutil.copytree(ROOT / "verifier", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    # The build backend (flit_core, from requirements-dev.txt) is lent for the build only.
    backend = base / "backend"
    backend.mkdir()
    (backend / "flit_core").symlink_to(Path(importlib.util.find_spec("flit_core").origin).parent)
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONPATH": str(backend)}
    pip = [str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-deps", "--no-cache-dir"]
    subprocess.run(
        [*pip, "-q", str(source)],
        check=True,
        env=env,
        cwd=base,
    )
    no_django = subprocess.run([str(python), "-c", "import django"], capture_output=True, cwd=base)
    assert no_django.returncode != 0, "the clean environment must not see Django"
    assert sysconfig.get_paths()["purelib"] != site
    return venv


def _cli(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "shangmi-verify"), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_the_installed_package_verifies_and_its_monitor_catches_a_rollback(clean_venv, live_server, world, tmp_path):
    content = b"price list 2026"
    (tmp_path / "file.bin").write_bytes(content)
    (tmp_path / "log.pub").write_text(log_verifier_key() + "\n")
    deposit = deposit_bytes(world.ent_admin_in, content)
    log_sequence()
    (tmp_path / "receipt.json").write_text(json.dumps(receipt_for(Deposit.objects.get(pk=deposit.pk))))
    verified = _cli(
        clean_venv, "verify", "--file", "file.bin", "--receipt", "receipt.json", "--log-key", "log.pub", cwd=tmp_path
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "in the log no later than signed checkpoint 1" in verified.stdout
    # The same as one file, copied anywhere: a zipapp.
    build_verifier.build_pyz(tmp_path / "shangmi-verify.pyz")
    single = subprocess.run(
        [
            str(clean_venv / "bin" / "python"),
            "shangmi-verify.pyz",
            "verify",
            "--file",
            "file.bin",
            "--receipt",
            "receipt.json",
            "--log-key",
            "log.pub",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert single.returncode == 0, single.stderr
    assert json.loads(single.stdout)["proven"]["in_log_by_checkpoint"] == 1
    (tmp_path / "file.bin").write_bytes(content + b"!")
    tampered = _cli(
        clean_venv, "verify", "--file", "file.bin", "--receipt", "receipt.json", "--log-key", "log.pub", cwd=tmp_path
    )
    assert tampered.returncode == 1

    monitor = ("monitor", "--url", live_server.url, "--log-key", "log.pub", "--state", "state")
    first = _cli(clean_venv, *monitor, cwd=tmp_path)
    assert first.returncode == 0 and "ok: 1 entries, 1 new" in first.stdout, first.stdout + first.stderr
    deposit_many(world.ent_admin_in, 5)
    log_sequence()
    grown = _cli(clean_venv, *monitor, cwd=tmp_path)
    assert grown.returncode == 0 and "ok: 6 entries, 5 new" in grown.stdout, grown.stdout + grown.stderr

    # Behind the monitor's back: the database is cut back to the first checkpoint.
    LogEntry.objects.filter(index__gte=1).delete()
    LogNode.objects.filter(key__gte=0).exclude(key=0).delete()
    Checkpoint.objects.filter(size=6).delete()
    LogState.objects.update(size=1, root=bytes(Checkpoint.objects.get(size=1).root))
    rolled = _cli(clean_venv, *monitor, cwd=tmp_path)
    assert rolled.returncode == 1
    assert "FINDING rollback: the log had 6 entries, it now shows 1" in rolled.stdout
    assert list((tmp_path / "state" / "evidence").glob("rollback-*.json"))


@pytest.mark.django_db(transaction=True)
def test_the_monitor_names_a_changed_entry(clean_venv, live_server, world, tmp_path):
    (tmp_path / "log.pub").write_text(log_verifier_key() + "\n")
    deposit_many(world.ent_admin_in, 4)
    log_sequence()
    monitor = ("monitor", "--url", live_server.url, "--log-key", "log.pub", "--state", "state")
    assert _cli(clean_venv, *monitor, cwd=tmp_path).returncode == 0
    data = bytearray(bytes(LogEntry.objects.get(index=2).data))
    data[7] ^= 1
    LogEntry.objects.filter(index=2).update(data=bytes(data))
    changed = _cli(clean_venv, *monitor, cwd=tmp_path)
    assert changed.returncode == 1
    assert "FINDING entry 2: changed since the monitor saw it" in changed.stdout
