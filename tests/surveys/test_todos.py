"""A survey's to-do leaves the bell of an enterprise once it has answered (the others' stay),
and everyone's once the survey is closed: no false "survey to answer" signal."""

from __future__ import annotations

from shangmi.notices.models import Notification
from shangmi.surveys import services
from tests.surveys.conftest import SmallSurvey


def test_answering_removes_the_enterprises_todo_and_closing_removes_all(small: SmallSurvey) -> None:
    url = small.survey.get_absolute_url()
    world = small.world
    waiting = set(Notification.objects.filter(url=url).values_list("recipient__username", flat=True))
    # Three enterprises answered in small_world; only the fourth's admin still has the to-do.
    assert waiting == {small.admin_d.username}
    services.survey_close(world.city_regulator, small.survey)
    assert not Notification.objects.filter(url=url).exists()
