"""The demo's rights-protection rows load, and load again without change."""

from __future__ import annotations

from typing import Any

from shangmi.demo.data import demo_load
from shangmi.demo.enforcement import demo_enforcement_load
from shangmi.enforcement.models import Case, Clue, Demand, Transfer


def test_demo_enforcement_loads_twice(db: Any, tmp_media: Any) -> None:
    demo_load()
    demo_enforcement_load()
    counts = (Demand.objects.count(), Clue.objects.count())
    demo_enforcement_load()
    assert (Demand.objects.count(), Clue.objects.count()) == counts == (3, 6)
    assert set(Demand.objects.values_list("status", flat=True)) == {"assigned", "rated", "filed"}
    assert Clue.objects.filter(demand__isnull=False).count() == 1
    assert Clue.objects.filter(region_id="500116").count() == 3
    assert Clue.objects.filter(status=Clue.Status.OPENED, region_id="500105").exists()
    assert Clue.objects.filter(stopped_since__isnull=False).exists()
    case = Case.objects.get(decision=Case.Decision.TRANSFER)
    assert case.region_id == "500105" and case.stage == Case.Stage.DECIDED
    closed = Case.objects.get(stage=Case.Stage.CLOSED)
    assert closed.region_id == "500105" and closed.fine == 200000 and closed.payments.count() == 1
    assert closed.services.count() == 2 and closed.reports.get().reviewer.username == "cq_regulator"
    review = Case.objects.get(stage=Case.Stage.REVIEW)
    assert review.region_id == "500116" and review.step_due == review.reports.get().review_due
    assert review.evidence.count() == 2 and review.measures.get().outcome == "fixed"
    assert Transfer.objects.get().receiver.username == "jiangbei_police"
