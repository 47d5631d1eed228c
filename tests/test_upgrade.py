"""An upgrade: a database made and filled by the previous release migrates with this code,
keeps its rows, and its pages answer.

The previous release is read out of git (`git archive`, nothing in the repository changes)
into a temporary folder and run there with this virtualenv: migrate, load_reference_data,
load_demo. Then this code migrates the same database and every demo account opens the
main pages. On PostgreSQL the database is a fresh one beside the test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS_RELEASE = "bbae03d"
TABLES = ["enterprises_enterprise", "accounts_user", "creation_application", "evidence_deposit", "regions_region"]
# By path, not by URL name: a name may move between releases (the home page was core:home and
# is home:home); what a bookmark holds is the path.
PAGES = ["/", "/enterprises/", "/creation/", "/targets/", "/ledgers/guidance/half-year/"]

# Run by `manage.py shell -c` on the upgraded database: row counts, then every page as every
# demo account (status codes only).
PROBE = f"""
import json
from django.db import connection
from django.test import Client
from django.urls import reverse
from shangmi.accounts.models import User
from shangmi.enterprises.models import Enterprise
out = {{"counts": {{}}, "pages": {{}}}}
with connection.cursor() as c:
    for t in {TABLES!r}:
        c.execute(f"SELECT COUNT(*) FROM {{t}}")
        out["counts"][t] = c.fetchone()[0]
first = Enterprise.objects.order_by("pk").first()
urls = {PAGES!r} + [reverse("enterprises:detail", args=[first.pk])]
for user in User.objects.filter(is_active=True).order_by("username"):
    user.must_change_password = False
    client = Client()
    client.force_login(user)
    for url in urls:
        out["pages"][f"{{user.username}} {{url}}"] = client.get(url).status_code
print("PROBE " + json.dumps(out))
"""


def git_archive(commit: str, target: Path) -> None:
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=False)
    assert archive.returncode == 0, f"the previous release {commit} is not in this clone: {archive.stderr.decode()}"
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    (target / ".venv").symlink_to(ROOT / ".venv")


def manage(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"{cwd.name}: manage.py {' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture
def upgrade_db(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    name = f"{s['NAME']}_upgrade"
    server = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server.replace('postgresql', 'postgres')}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_of_the_previous_release_upgrades(tmp_path, upgrade_db):
    previous = tmp_path / "previous"
    git_archive(PREVIOUS_RELEASE, previous)
    env = {
        **os.environ,
        "DATABASE_URL": upgrade_db,
        "SHANGMI_VAR_DIR": str(tmp_path / "var"),
        "SHANGMI_EVIDENCE_KEY_FILE": str(tmp_path / "keys" / "log.key"),
        "SHANGMI_DEBUG": "0",
        "SHANGMI_SECRET_KEY": "upgrade-test-only",
    }
    manage(previous, env, "migrate", "--noinput")
    manage(previous, env, "load_reference_data")
    manage(previous, env, "load_demo")
    before = json.loads(manage(previous, env, "shell", "-c", PROBE).split("PROBE ", 1)[1])
    assert before["counts"]["enterprises_enterprise"] > 0 and before["counts"]["creation_application"] > 0

    migrated = manage(ROOT, env, "migrate", "--noinput")
    assert "Applying jobs.0002_worker_heartbeat... OK" in migrated
    manage(ROOT, env, "migrate", "--check")  # nothing left unapplied, no model without its migration
    after = json.loads(manage(ROOT, env, "shell", "-c", PROBE).split("PROBE ", 1)[1])

    assert after["counts"] == before["counts"]
    broken = {page: code for page, code in after["pages"].items() if code >= 500}
    assert not broken
    assert after["pages"] == before["pages"]
    assert sum(code == 200 for code in after["pages"].values()) >= len(PAGES)
