"""Shared fixtures: reference data, the demo world, and one user of every role."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.tags import tags_load
from shangmi.enterprises.uscc import make_uscc
from shangmi.regions.models import Park, Region
from shangmi.regions.services import regions_load

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _fast_hashing_and_reference_data(request: pytest.FixtureRequest) -> None:
    # Argon2 is the production hasher (tested in test_accounts); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    uses_db = DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db")
    if uses_db:
        request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
        if not Region.objects.exists():
            regions_load()
            tags_load()


@pytest.fixture(autouse=True)
def _evidence_log_key(tmp_path_factory: pytest.TempPathFactory, settings) -> None:
    """The evidence log signs with a test key in a temporary file, never the install's own.

    One key directory per test: the signer remembers what it signed beside its key, and each
    test's database starts empty, so a memory shared between tests would read as a rollback.
    The directory is created only when a test signs something.
    """
    settings.SHANGMI_EVIDENCE_KEY_FILE = tmp_path_factory.getbasetemp() / "evidence-keys" / uuid.uuid4().hex / "log.key"


@pytest.fixture
def tmp_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_enterprise(region_code: str, name: str, serial: int, **extra: object) -> Enterprise:
    return Enterprise.objects.create(name=name, uscc=make_uscc(region_code, serial), region_id=region_code, **extra)


def make_user(username: str, role: str, **binding: object) -> User:
    user = User(username=username, role=role, full_name=username, **binding)
    user.set_password("Secret-pass-2026")
    user.save()
    return user


class World:
    """Two districts of Chongqing (江北 inside, 江津 outside) and a user of every role in each."""

    def __init__(self) -> None:
        self.jiangbei = Region.objects.get(code="500105")
        self.jiangjin = Region.objects.get(code="500116")
        self.chongqing = Region.objects.get(code="500000")
        self.park_in = Park.objects.create(name="港城工业园", region=self.jiangbei)
        self.park_out = Park.objects.create(name="双福工业园", region=self.jiangjin)
        self.officer_in = make_user("officer_in", Role.OFFICER, region=self.jiangbei)
        self.officer_out = make_user("officer_out", Role.OFFICER, region=self.jiangjin)
        self.ent_in = make_enterprise(
            "500105",
            "江北内部科技有限公司",
            1,
            park=self.park_in,
            liaison_officer=self.officer_in,
            is_liaison_point=True,
        )
        self.ent_out = make_enterprise(
            "500116",
            "江津外部材料有限公司",
            2,
            park=self.park_out,
            liaison_officer=self.officer_out,
            is_liaison_point=True,
        )
        self.admin = make_user("platform_admin", Role.PLATFORM_ADMIN)
        self.city_regulator = make_user("cq_regulator", Role.REGULATOR, region=self.chongqing)
        self.regulator_in = make_user("jiangbei_regulator", Role.REGULATOR, region=self.jiangbei)
        self.regulator_out = make_user("jiangjin_regulator", Role.REGULATOR, region=self.jiangjin)
        self.park_operator_in = make_user("park_in", Role.PARK_OPERATOR, park=self.park_in)
        self.park_operator_out = make_user("park_out", Role.PARK_OPERATOR, park=self.park_out)
        self.ent_admin_in = make_user("ent_admin_in", Role.ENTERPRISE_ADMIN, enterprise=self.ent_in)
        self.ent_admin_out = make_user("ent_admin_out", Role.ENTERPRISE_ADMIN, enterprise=self.ent_out)
        self.ent_staff_in = make_user("ent_staff_in", Role.ENTERPRISE_STAFF, enterprise=self.ent_in)
        self.ent_staff_out = make_user("ent_staff_out", Role.ENTERPRISE_STAFF, enterprise=self.ent_out)
        self.expert = make_user("expert", Role.EXPERT, region=self.chongqing)
        # Experts of the pool, one per district: the inside one is assigned to the inside
        # enterprise's application by the scope walk, the outside one to the outside one's.
        self.expert_in = make_user("expert_in", Role.EXPERT, region=self.jiangbei)
        self.expert_out = make_user("expert_out", Role.EXPERT, region=self.jiangjin)
        self.judicial = make_user("judicial", Role.JUDICIAL_LIAISON, region=self.jiangbei)


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 3218 regions once per test database, not inside every test's transaction."""
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            regions_load()
            tags_load()
