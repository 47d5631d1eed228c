"""The production mode of docs/deploy.md: `check --deploy` clean, JSON logs, gunicorn's config."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from shangmi.core.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
# The environment docs/deploy.md tells an install to set (its "Settings" section).
DEPLOY_ENV = {
    "SHANGMI_DEBUG": "0",
    "SHANGMI_SECRET_KEY": "a-deploy-test-key-" + "x7Qp2Lm9Rt4Vw8Zy3Bn6Cd1Fg5Hj0Kk" * 2,
    "SHANGMI_ALLOWED_HOSTS": "shangmi.example.gov.cn",
    "SHANGMI_CSRF_TRUSTED_ORIGINS": "https://shangmi.example.gov.cn",
    "SHANGMI_SECURE_SSL_REDIRECT": "1",
    "SHANGMI_HSTS_SECONDS": "31536000",
    "SHANGMI_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SHANGMI_HSTS_PRELOAD": "1",
    "SHANGMI_SECURE_COOKIES": "1",
    "SHANGMI_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SHANGMI_LOG_FORMAT": "json",
}
# The security checks whose settings come from these variables (issue 12 wires the ones
# settings.py does not read yet; until then their warnings are expected, after it none is).
CHECK_OF_VARIABLE = {
    "SHANGMI_SECURE_SSL_REDIRECT": "security.W008",
    "SHANGMI_HSTS_SECONDS": "security.W004",
    "SHANGMI_SECURE_COOKIES": "security.W012",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "SHANGMI_VAR_DIR": str(tmp_path / "var")}
    # Set by the browser tests for Playwright in this process; no deployment has it.
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    proc = manage("check", "--deploy", "--fail-level", "WARNING", env=DEPLOY_ENV, tmp_path=tmp_path)
    found = set(re.findall(r"\((security\.\w+|[\w.]+\.[EW]\d+)\)", proc.stdout + proc.stderr))
    settings_source = (ROOT / "shangmi" / "settings.py").read_text()
    not_wired = {check for var, check in CHECK_OF_VARIABLE.items() if var not in settings_source}
    assert found <= not_wired, proc.stdout + proc.stderr
    if not not_wired:
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_logs_are_json_lines_when_asked(tmp_path):
    code = "import logging; logging.getLogger('shangmi.probe').warning('备份 %s', 'done')"
    proc = manage("shell", "-c", code, env={"SHANGMI_LOG_FORMAT": "json"}, tmp_path=tmp_path)
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert [(e["level"], e["logger"], e["msg"]) for e in lines] == [("WARNING", "shangmi.probe", "备份 done")]


def test_a_bad_log_format_stops_start_up(tmp_path):
    proc = manage("check", env={"SHANGMI_LOG_FORMAT": "xml"}, tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "SHANGMI_LOG_FORMAT='xml' must be text or json" in proc.stderr


def test_gunicorn_access_records_become_fields():
    atoms = {"h": "127.0.0.1", "m": "GET", "U": "/health/", "s": "200", "B": "52", "M": "3", "r": "GET /health/"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (atoms,), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == '127.0.0.1 "GET /health/" 200'
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == ("GET", "/health/", "200", "3")


def test_gunicorn_config_reads_the_environment():
    namespace: dict[str, object] = {}
    old = dict(os.environ)
    os.environ.update({"SHANGMI_BIND": "127.0.0.1:9123", "SHANGMI_WEB_WORKERS": "3", "SHANGMI_LOG_FORMAT": "json"})
    try:
        exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert (namespace["bind"], namespace["workers"]) == ("127.0.0.1:9123", 3)
    assert namespace["logconfig_dict"]["formatters"]["json"]["()"] == "shangmi.core.logs.JsonFormatter"
