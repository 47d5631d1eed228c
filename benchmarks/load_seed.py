"""The data set of the load test (scripts/load-test.sh): one province at realistic size.

DATABASE_URL=... python -m benchmarks.load_seed --enterprises 20000 --ledger-entries 100000 \\
    --users 200 --password PASSWORD --accounts OUT.json

Regions come from load_reference_data (run before); then generate_scale_data's enterprises,
benchmarks.ledgers' guidance visits and training participants (with one guidance officer per
district), and the accounts the simulated users sign in with, in the proportions of a
province's staff: a tenth regulators (one province-wide, the rest district bureaus), a fifth
liaison/guidance officers, the rest enterprise administrators. All share one password, hashed
once with the configured hasher (hashing 200 times would only slow the seed). The usernames,
by role, go to --accounts for the locustfile.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import time
from pathlib import Path


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] load_seed: {msg}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--ledger-entries", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--province", default="500000")
    parser.add_argument("--password", required=True)
    parser.add_argument("--accounts", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks.ledgers import generate_ledgers
    from shangmi.accounts.models import User
    from shangmi.core.roles import Role
    from shangmi.enterprises.models import Enterprise
    from shangmi.regions.models import Region

    _log(f"{args.enterprises} enterprises in {args.province}")
    call_command("generate_scale_data", enterprises=args.enterprises, province=args.province, stdout=io.StringIO())
    year = datetime.date.today().year
    _log(f"{args.ledger_entries} ledger entries over {year - 1}-{year}")
    generate_ledgers(args.province, year=year, entries=args.ledger_entries)

    province = Region.objects.get(code=args.province)
    districts = list(
        Enterprise.objects.filter(region__path__startswith=province.path)
        .values_list("region_id", flat=True)
        .distinct()
        .order_by("region_id")
    )
    n_regulators = max(2, args.users // 10)
    n_officers = max(1, args.users // 5)
    n_enterprise = args.users - n_regulators - n_officers
    password = make_password(args.password)
    roles = ("province_regulator", "district_regulator", "officer", "enterprise")
    accounts: dict[str, list[str]] = {role: [] for role in roles}
    with transaction.atomic():
        label = "重庆市市场监管局（压测）"
        users = [User(username="load_province", role=Role.REGULATOR, region=province, full_name=label)]
        accounts["province_regulator"].append("load_province")
        for i in range(n_regulators - 1):
            code = districts[i % len(districts)]
            users.append(User(username=f"load_regulator_{i}", role=Role.REGULATOR, region_id=code))
            accounts["district_regulator"].append(f"load_regulator_{i}")
        # The officers generate_ledgers made (one per district) are the guidance officers of
        # their district's enterprises; more officers share districts round the list.
        officers = list(User.objects.filter(username__startswith="bench_officer_").order_by("username"))
        for officer in officers[:n_officers]:
            officer.password = password
            officer.save(update_fields=["password"])
            accounts["officer"].append(officer.username)
        for i in range(n_officers - len(accounts["officer"])):
            code = districts[i % len(districts)]
            username = f"load_officer_{i}"
            users.append(User(username=username, role=Role.OFFICER, region_id=code))
            accounts["officer"].append(username)
        # Enterprise administrators of enterprises spread over the districts.
        step = max(1, Enterprise.objects.count() // max(1, n_enterprise))
        enterprise_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[::step][:n_enterprise])
        for i, pk in enumerate(enterprise_ids):
            users.append(User(username=f"load_enterprise_{i}", role=Role.ENTERPRISE_ADMIN, enterprise_id=pk))
            accounts["enterprise"].append(f"load_enterprise_{i}")
        for user in users:
            user.password = password
        User.objects.bulk_create(users)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    args.accounts.write_text(json.dumps(accounts, indent=1))
    _log(", ".join(f"{len(names)} {role}" for role, names in accounts.items()))


if __name__ == "__main__":
    main()
