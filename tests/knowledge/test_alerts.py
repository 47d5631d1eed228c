"""Risk alerts reach the enterprises that export to the markets they concern, with a receipt."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from shangmi.knowledge import services
from shangmi.knowledge.models import AlertDelivery, ExportMarket, RiskAlert, Status
from shangmi.knowledge.selectors import receipt_rate
from shangmi.notices.models import Notification
from tests.refusals import refused_with

pytestmark = pytest.mark.django_db


def _alert(world: Any, **extra: Any) -> RiskAlert:
    data = services.AlertInput(
        title="美国337调查风险提示", body="近期多家企业被提起337调查。", countries=["US"], **extra
    )
    return services.alert_create(user=world.regulator_in, data=data)


def test_an_alert_reaches_the_us_exporter_and_not_the_other(world: Any, client: Any) -> None:
    from tests.conftest import make_enterprise, make_user

    other = make_enterprise("500105", "江北内销机械有限公司", 3)
    other_admin = make_user("other_admin", "enterprise_admin", enterprise=other)
    services.export_market_add(user=world.ent_admin_in, country="US")
    services.export_market_add(user=other_admin, country="JP")
    # An enterprise outside the bureau's region is not reached even if it exports to the US.
    services.export_market_add(user=world.ent_admin_out, country="US")
    alert = _alert(world)
    assert not AlertDelivery.objects.exists()  # a draft goes nowhere
    reached = services.alert_publish(user=world.regulator_in, alert=alert)
    assert reached == 2  # ent_admin_in and ent_staff_in
    delivered = set(AlertDelivery.objects.values_list("user__username", flat=True))
    assert delivered == {"ent_admin_in", "ent_staff_in"}
    delivery = AlertDelivery.objects.get(user=world.ent_staff_in)
    notice = Notification.objects.get(recipient=world.ent_staff_in)
    assert notice.url == delivery.get_absolute_url() and alert.title in notice.title
    assert not Notification.objects.filter(recipient=other_admin).exists()
    assert not Notification.objects.filter(recipient=world.ent_admin_out).exists()

    # The recipient opens it from the bell: the receipt is signed; anyone else gets 404.
    assert receipt_rate(alert).read == 0
    client.force_login(other_admin)
    assert client.get(notice.url).status_code == 404
    assert client.get(alert.get_absolute_url()).status_code == 404
    client.force_login(world.ent_admin_in)
    assert client.get(notice.url).status_code == 404  # a colleague's copy is the colleague's
    client.force_login(world.ent_staff_in)
    page = client.get(notice.url)
    assert page.status_code == 200 and "337" in page.content.decode()
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    rate = receipt_rate(alert)
    assert (rate.delivered, rate.read, rate.percent) == (2, 1, 50)
    # The bureau sees who read it.
    client.force_login(world.regulator_in)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "50%" in page and world.ent_staff_in.display_name in page


def test_an_alert_for_an_industry_skips_the_others(world: Any) -> None:
    world.ent_in.industry = "C"
    world.ent_in.save()
    services.export_market_add(user=world.ent_admin_in, country="US")
    alert = _alert(world, industries=["I"])
    assert services.alert_publish(user=world.regulator_in, alert=alert) == 0


def test_refusals(world: Any) -> None:
    with refused_with(services.NO_COUNTRIES):
        services.alert_create(user=world.regulator_in, data=services.AlertInput(title="t", body="b", countries=[]))
    with refused_with(services.UNKNOWN_COUNTRY):
        services.alert_create(user=world.regulator_in, data=services.AlertInput(title="t", body="b", countries=["XX"]))
    with refused_with(services.NOT_A_BUREAU):
        services.alert_create(user=world.ent_admin_in, data=services.AlertInput(title="t", body="b", countries=["US"]))
    alert = _alert(world)
    with refused_with(services.NOT_YOURS):
        services.alert_publish(user=world.regulator_out, alert=alert)
    services.alert_publish(user=world.regulator_in, alert=alert)
    with refused_with(services.ALREADY_PUBLISHED):
        services.alert_publish(user=world.regulator_in, alert=alert)
    assert RiskAlert.objects.get(pk=alert.pk).status == Status.PUBLISHED
    services.export_market_add(user=world.ent_admin_in, country="US")
    with refused_with(services.MARKET_TAKEN):
        services.export_market_add(user=world.ent_admin_in, country="us")
    with refused_with(services.NO_ENTERPRISE):
        services.export_market_add(user=world.ent_staff_in, country="DE")
    assert ExportMarket.objects.filter(enterprise=world.ent_in).count() == 1


def test_the_enterprise_admin_keeps_its_markets_through_the_page(world: Any, client: Any) -> None:
    client.force_login(world.ent_admin_in)
    response = client.post(reverse("knowledge:market_add"), {"country": "KR"})
    assert response.status_code == 302
    market = ExportMarket.objects.get(enterprise=world.ent_in)
    assert "韩国" in client.get(reverse("knowledge:market_list")).content.decode() or market.country == "KR"
    # Another enterprise's admin cannot remove it.
    client.force_login(world.ent_admin_out)
    assert client.post(reverse("knowledge:market_remove", args=[market.pk])).status_code == 404
    client.force_login(world.ent_admin_in)
    client.post(reverse("knowledge:market_remove", args=[market.pk]))
    assert not ExportMarket.objects.filter(pk=market.pk).exists()
