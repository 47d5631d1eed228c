"""The demo's protection system loads (twice without change) and shows what the pages need."""

from __future__ import annotations

from typing import Any

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.demo.data import demo_load
from shangmi.demo.protection import demo_protection_load
from shangmi.protection.models import Agreement, Area, Carrier, Engagement, Person, SecretPoint, SecretPointDeposit
from shangmi.protection.selectors import handover


def test_the_demo_protection_system(db: Any) -> None:
    demo_load()
    assert demo_protection_load() == 5
    assert demo_protection_load() == 0
    admin = User.objects.get(username="enterprise_admin")
    staff = User.objects.get(username="enterprise_staff")
    assert SecretPoint.objects.restrict(admin).count() == 5
    known = set(SecretPoint.objects.restrict(staff).values_list("name", flat=True))
    assert known == {"摩擦材料配方", "卡钳壳体模具结构"}
    assert set(SecretPoint.objects.values_list("status", flat=True)) == {"proposed", "filed", "declassified"}
    assert Agreement.objects.filter(kind="non_compete").get().checked["minimum_wage"] == "2100.00"
    assert Carrier.objects.restrict(admin).count() == 3
    zhang = Person.objects.get(name="张伟")
    listed = handover(admin, zhang, program_today())
    assert [(c.name, n) for c, n in listed.held] == [("摩擦材料配方工艺卡", 1)]
    assert Area.objects.get().visits.count() == 1
    assert Engagement.objects.get().disclosures.get().secret_point.name == "摩擦材料配方"
    assert SecretPointDeposit.objects.get().deposit.secret_point == "摩擦材料配方"
