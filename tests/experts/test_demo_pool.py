"""The demo's expert pool: twenty experts, the declared conflicts respected by the
assignments the demo made through the services, and real work on the demo expert's home."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.urls import reverse

from shangmi.accounts.models import User
from shangmi.creation.models import ExpertAssignment
from shangmi.experts.models import Conflict, ExpertProfile


def test_demo_pool_and_the_demo_experts_home(db, tmp_media, client) -> None:
    call_command("load_reference_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "expert" in out.getvalue().split()
    assert ExpertProfile.objects.count() == 20
    assert Conflict.objects.count() == 3
    call_command("load_demo", stdout=io.StringIO())
    assert (ExpertProfile.objects.count(), ExpertAssignment.objects.count()) == (20, 4)
    # No assignment lands on an enterprise the expert declared a conflict with.
    for assignment in ExpertAssignment.objects.filter(application__enterprise__isnull=False).select_related(
        "application__enterprise", "expert"
    ):
        declared = Conflict.objects.filter(profile__user=assignment.expert).values_list("uscc", flat=True)
        assert assignment.application.enterprise.uscc not in declared
    submitted = ExpertAssignment.objects.get(status=ExpertAssignment.Status.SUBMITTED)
    assert submitted.opinion and submitted.scores.count() == submitted.application.standard.items.count()

    expert = User.objects.get(username="expert")
    client.force_login(expert)
    home = client.get(reverse("home:home")).content.decode()
    mine = ExpertAssignment.objects.get(expert=expert)
    assert mine.get_absolute_url() in home and mine.due_on.isoformat() in home
    assert client.get(mine.application.get_absolute_url()).status_code == 200
    # Every other application of the demo is closed to the expert.
    for other in submitted.application.round.applications.exclude(pk=mine.application_id):
        assert client.get(other.get_absolute_url()).status_code == 404
    # 江北区's review reads the submitted opinion.
    client.force_login(User.objects.get(username="jiangbei_regulator"))
    review = client.get(reverse("creation:application_review", args=[submitted.application_id])).content.decode()
    assert submitted.opinion.splitlines()[0][:20] in review
