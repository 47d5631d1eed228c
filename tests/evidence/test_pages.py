"""The enterprise's deposit pages: its own deposits only, every read recorded."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import DepositAccess
from tests.evidence.factories import deposit_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def deposits(world):
    v1 = deposit_bytes(world.ent_admin_in, b"v1", title="隔膜配方", secret_point="配方", project="隔膜二期")
    v2 = deposit_bytes(world.ent_staff_in, b"v2", title="隔膜配方", secret_point="配方", previous=str(v1.pk))
    drawing = deposit_bytes(world.ent_admin_in, b"dwg", title="模具图纸", secret_point="模具")
    theirs = deposit_bytes(world.ent_admin_out, b"theirs", title="外部企业工艺")
    log_sequence()
    return v1, v2, drawing, theirs


def test_the_list_shows_the_enterprises_own_deposits_and_filters(world, client, deposits):
    client.force_login(world.ent_staff_in)
    page = client.get(reverse("evidence:list")).content.decode()
    assert page.count("隔膜配方") >= 2 and "模具图纸" in page and "外部企业工艺" not in page
    filtered = client.get(reverse("evidence:list"), {"secret_point": "模具"}).content.decode()
    assert "模具图纸" in filtered and 'href="/evidence/' + str(deposits[0].pk) not in filtered
    by_digest = client.get(reverse("evidence:list"), {"q": deposits[2].sha256}).content.decode()
    assert "模具图纸" in by_digest and "隔膜配方</a>" not in by_digest
    assert DepositAccess.objects.filter(user=world.ent_staff_in, action="list").exists()


def test_a_regulator_sees_no_deposit_at_all(world, client, deposits):
    for user in (world.regulator_in, world.city_regulator, world.admin):
        client.force_login(user)
        page = client.get(reverse("evidence:list")).content.decode()
        assert "隔膜配方" not in page and "外部企业工艺" not in page
        assert client.get(reverse("evidence:detail", args=[deposits[0].pk])).status_code == 404


def test_the_detail_page_shows_the_version_chain(world, client, deposits):
    v1, v2, _drawing, _theirs = deposits
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("evidence:detail", args=[v1.pk])).content.decode()
    assert reverse("evidence:detail", args=[v2.pk]) in page
    v1.refresh_from_db()  # a batch's order is shuffled: v1's index is whatever the sequencer drew
    assert v1.sha256 in page and f"#{v1.leaf_index}" in page
    assert DepositAccess.objects.filter(deposit=v1, action="view").exists()


def test_receipt_and_certificate_download_and_strangers_get_404(world, client, deposits):
    v1 = deposits[0]
    client.force_login(world.ent_admin_in)
    receipt = json.loads(client.get(reverse("evidence:receipt", args=[v1.pk])).content)
    assert receipt["status"] == "sequenced" and receipt["deposit"]["title"] == "隔膜配方"
    pdf = client.get(reverse("evidence:certificate", args=[v1.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert {a.action for a in DepositAccess.objects.filter(deposit=v1)} >= {"receipt", "certificate"}
    client.force_login(world.ent_admin_out)
    for name in ("detail", "receipt", "certificate"):
        assert client.get(reverse(f"evidence:{name}", args=[v1.pk])).status_code == 404


def test_the_register_exports_the_filtered_deposits(world, client, deposits):
    client.force_login(world.ent_admin_in)
    response = client.get(reverse("evidence:export"), {"secret_point": "配方"})
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("存证登记簿").to_python()
    assert rows[0][0] == "标题 Title"
    assert sorted(row[7] for row in rows[1:]) == sorted([deposits[0].sha256, deposits[1].sha256])
    assert DepositAccess.objects.filter(user=world.ent_admin_in, action="export").exists()


def test_the_new_deposit_page_has_no_upload_field_that_posts_files(world, client):
    client.force_login(world.ent_admin_in)
    page = client.get(reverse("evidence:create")).content.decode()
    assert 'enctype="multipart/form-data"' not in page and 'name="files"' not in page
    assert "vendor/hash-wasm/sm3.umd.min.js" in page
    client.force_login(world.regulator_in)
    refused = client.get(reverse("evidence:create"))
    assert refused.status_code == 200 and "仅企业用户可以存证" in refused.content.decode()
    assert '<form id="deposit-form"' not in refused.content.decode()


def test_the_date_filter_cuts_days_in_china(world) -> None:
    """A deposit at 23:30 UTC on 1 December is on 2 December in Shanghai, and filters as such."""
    import datetime

    from shangmi.evidence.models import Deposit
    from shangmi.evidence.selectors import deposits_for
    from tests.evidence.factories import deposit_bytes

    late = deposit_bytes(world.ent_admin_in, b"late evening in UTC")
    moment = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)
    Deposit.objects.filter(pk=late.pk).update(accepted_at=moment)
    user = world.ent_admin_in
    assert list(deposits_for(user, {"date_from": "2026-12-02", "date_to": "2026-12-02"})) == [late]
    assert list(deposits_for(user, {"date_to": "2026-12-01"})) == []
