"""The synthetic province-scale data set (generate_scale_data)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shangmi.demo.scale import scale_data_generate, short_name
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import uscc_errors
from shangmi.regions.models import Region

pytestmark = pytest.mark.django_db


def test_generates_valid_unique_enterprises_in_the_districts_of_the_province() -> None:
    call_command("generate_scale_data", enterprises=500, province="500000", seed=3, verbosity=0)
    rows = list(Enterprise.objects.values_list("uscc", "region_id", "park__region_id", "name"))
    assert len(rows) == 500
    usccs = [uscc for uscc, *_ in rows]
    assert len(set(usccs)) == 500
    assert all(uscc_errors(uscc) == [] for uscc in usccs)
    districts = set(
        Region.objects.filter(path__startswith="500000/", level=Region.Level.DISTRICT).values_list("code", flat=True)
    )
    assert {region for _, region, _, _ in rows} <= districts
    # A park is always one of the enterprise's own district.
    assert all(park_region in (None, region) for _, region, park_region, _ in rows)
    assert all(name.startswith("重庆") and name.endswith("公司") for *_, name in rows)
    assert Enterprise.tags.through.objects.exists()


def test_generated_enterprises_carry_their_history_and_tags_like_any_other() -> None:
    """Generated rows go through the enterprises' bulk writer: one "+" record each, no author,
    with the tags the enterprise was created with."""
    scale_data_generate(enterprises=300, seed=5)
    history = Enterprise.history.model
    assert history.objects.filter(history_type="+", history_user=None).count() == 300 == history.objects.count()
    tagged = Enterprise.objects.filter(tags__isnull=False).distinct()
    assert tagged.exists()
    for enterprise in tagged[:20]:
        record = history.objects.get(id=enterprise.pk)
        assert record.name == enterprise.name
        assert set(record.tags.values_list("tag_id", flat=True)) == set(enterprise.tags.values_list("pk", flat=True))


def test_running_twice_does_not_duplicate_and_tops_up() -> None:
    call_command("generate_scale_data", enterprises=500, verbosity=0)
    call_command("generate_scale_data", enterprises=500, verbosity=0)
    assert Enterprise.objects.count() == 500
    result = scale_data_generate(enterprises=600)
    assert (result.existing, result.created) == (500, 100)
    assert Enterprise.objects.count() == 600
    assert Enterprise.objects.values("uscc").distinct().count() == 600


def test_short_names() -> None:
    assert short_name("重庆市") == "重庆"
    assert short_name("江北区") == "江北"
    assert short_name("石柱土家族自治县") == "石柱"
    assert short_name("忠县") == "忠县"
