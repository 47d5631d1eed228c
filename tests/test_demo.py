"""`make run`'s demo data: it loads, loads again without change, and shows every step."""

from __future__ import annotations

import io

from django.core.management import call_command

from shangmi.creation.models import Application, Stage, Title
from shangmi.targets.models import Target


def test_demo_loads_twice_and_covers_the_creation_path(db, tmp_media) -> None:
    call_command("load_reference_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    for username in ("cq_regulator", "jiangbei_regulator", "enterprise_admin", "yuecheng_regulator", "zhineng_admin"):
        assert username in out.getvalue()
    counts = (Application.objects.count(), Title.objects.count(), Target.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Application.objects.count(), Title.objects.count(), Target.objects.count()) == counts

    by_name = {a.applicant_name: a for a in Application.objects.all()}
    assert by_name["重庆江北智能制造科技有限公司"].title.holder_name == "重庆江北智能制造科技有限公司"
    assert by_name["重庆长安汽车零部件有限公司"].stages.get(status=Stage.Status.ACTIVE).region_id == "500105"
    assert by_name["重庆双福新材料科技有限公司"].status == Application.Status.RETURNED
    zone = by_name["浙江省绍兴市越城区"]
    assert zone.stages.get(status=Stage.Status.ACTIVE).region_id == "330600"
    # Each standard where it belongs: 重庆's in 重庆's round, 浙江's zone conditions in 浙江's.
    assert zone.standard.code == "zj-demo-zone" and zone.round.region_id == "330000"
    assert {a.standard.code for a in Application.objects.filter(round__region_id="500000")} == {"cq-creation"}
    # Seed 003's table: 越城 1 zone, 0 provincial stations, 7 city/county stations, 20 coached.
    yuecheng = Target.objects.filter(region_id="330602").values_list("minimum", flat=True)
    assert sorted(yuecheng) == [0, 1, 7, 20]
    assert sum(Target.objects.filter(region__parent_id="330600").values_list("minimum", flat=True)) == 168
