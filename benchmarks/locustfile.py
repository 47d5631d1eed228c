"""The load test's users (scripts/load-test.sh runs locust headless with this file).

Each simulated person signs in through the sign-in form (CSRF token and all, as a browser
does) and then walks their role's real journey with 5-15 s of thought between pages:

- regulators: the enterprise list (plain, searched, sorted, filtered to a district), an
  enterprise's detail page, the guidance ledger, the half-year page (the province-wide one for
  the province's regulator), and now and then an export of their district's enterprises;
- liaison/guidance officers: their guidance ledger and half-year page, their enterprises;
- enterprise administrators: their enterprise, their deposits, and a deposit of a file's
  digests through the API (a token from /api/v1/token/ first, as the evidence client does).

Requests are named by page, so the report has one line per page. Accounts come from the file
benchmarks/load_seed.py wrote (LOAD_ACCOUNTS), the password from LOAD_PASSWORD, the
certificate nginx serves from LOAD_CAFILE. /health/ (database and workers, no template) is
asked now and then as the floor: what any request through this server costs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import secrets
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, between, task

ACCOUNTS: dict[str, list[str]] = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
PASSWORD = os.environ["LOAD_PASSWORD"]
CAFILE = os.environ.get("LOAD_CAFILE", "")
ENTERPRISE_LINK = re.compile(r'href="/enterprises/(\d+)/"')
SEARCHES = ("科技", "制造", "电子", "有限公司", "重庆")
_cycles: dict[str, Any] = {role: itertools.cycle(names) for role, names in ACCOUNTS.items()}


class Person(HttpUser):
    abstract = True
    wait_time = between(5, 15)
    role: ClassVar[str] = ""
    # Appended to every page's name: the province-wide regulator's pages are reported apart.
    label: ClassVar[str] = ""

    def on_start(self) -> None:
        self.client.verify = CAFILE or True
        self.username = next(_cycles[self.role])
        self.enterprises: list[str] = []
        self.sign_in()

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def sign_in(self) -> None:
        self.client.get("/accounts/login/", name="sign-in page")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.host + "/accounts/login/"},
            name="sign-in (POST)",
            catch_response=True,
        ) as response:
            if response.url.endswith("/accounts/login/"):
                response.failure(f"{self.username} was not signed in")

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name + self.label, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return ""
            if "/accounts/login/" in response.url:
                response.failure("signed out")
                return ""
            return response.text

    def remember_enterprises(self, html: str) -> None:
        found = ENTERPRISE_LINK.findall(html)
        if found:
            self.enterprises = found

    def enterprise_detail(self) -> None:
        if self.enterprises:
            self.page(f"/enterprises/{random.choice(self.enterprises)}/", "enterprise detail")

    @task(1)
    def floor(self) -> None:
        self.client.get("/health/", name="/health/ (floor)")


class Regulator(Person):
    weight = 10
    role = "district_regulator"

    @task(3)
    def enterprise_list(self) -> None:
        self.remember_enterprises(self.page("/enterprises/", "enterprise list"))

    @task(2)
    def enterprise_search(self) -> None:
        query = random.choice(SEARCHES)
        self.remember_enterprises(self.page(f"/enterprises/?q={query}&sort=name", "enterprise list, search"))

    @task(3)
    def detail(self) -> None:
        self.enterprise_detail()

    @task(2)
    def guidance(self) -> None:
        self.page("/ledgers/guidance/", "guidance ledger")

    @task(2)
    def halfyear(self) -> None:
        self.page("/ledgers/guidance/half-year/", "half-year page")

    @task(1)
    def halfyear_missing(self) -> None:
        self.page("/ledgers/guidance/half-year/?missing=on", "half-year page, missing")

    @task(1)
    def export(self) -> None:
        with self.client.get("/enterprises/export/", name="enterprise export", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class ProvinceRegulator(Regulator):
    # One province-wide regulator: the heaviest pages of the platform (every list and the
    # half-year page over the whole province). Its export is left out: a province-wide export
    # streams for a long while, a background job's size, not a page's.
    weight = 1
    fixed_count = 1
    role = "province_regulator"
    label = " (province)"

    @task(1)
    def export(self) -> None:
        self.page("/ledgers/guidance/half-year/?missing=on", "half-year page, missing")


class Officer(Person):
    weight = 20
    role = "officer"

    @task(3)
    def guidance(self) -> None:
        self.page("/ledgers/guidance/", "guidance ledger")

    @task(3)
    def halfyear(self) -> None:
        self.page("/ledgers/guidance/half-year/", "half-year page")

    @task(2)
    def enterprise_list(self) -> None:
        self.remember_enterprises(self.page("/enterprises/", "enterprise list"))

    @task(2)
    def detail(self) -> None:
        self.enterprise_detail()


class EnterpriseAdmin(Person):
    weight = 69
    role = "enterprise"

    def on_start(self) -> None:
        super().on_start()
        self.token = ""

    @task(3)
    def home(self) -> None:
        self.remember_enterprises(self.page("/", "home"))

    @task(2)
    def own_enterprise(self) -> None:
        self.enterprise_detail()

    @task(2)
    def deposits(self) -> None:
        self.page("/evidence/", "deposit list")

    @task(1)
    def deposit(self) -> None:
        if not self.token:
            response = self.client.post(
                "/api/v1/token/", data={"username": self.username, "password": PASSWORD}, name="API token"
            )
            if response.status_code != 200:
                return
            self.token = response.json()["token"]
        content = secrets.token_bytes(2048)
        item = {
            "title": "配方",
            "file_name": "配方.txt",
            "file_size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "sm3": "",
            "salt": secrets.token_hex(32),
            "secret_point": "",
            "project": "",
            "version_note": "",
            "previous": None,
        }
        self.client.post(
            "/api/v1/evidence/deposits/",
            json={"deposits": [item]},
            headers={"Authorization": f"Token {self.token}"},
            name="deposit (API)",
        )
