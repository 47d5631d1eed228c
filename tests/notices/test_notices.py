"""Notifications are their recipient's alone: not even a platform administrator reads them."""

from __future__ import annotations

from django.urls import reverse

from shangmi.notices.models import Notification
from shangmi.notices.services import mark_read, notify, unread_for


def test_an_administrator_neither_reads_nor_marks_anothers_notifications(world, client) -> None:
    (notice,) = notify([world.ent_admin_in], "申报被退回", "请补充4.1.c")
    assert not Notification.objects.restrict(world.admin).filter(pk=notice.pk).exists()
    assert mark_read(world.admin) == 0
    client.force_login(world.admin)
    assert "申报被退回" not in client.get(reverse("notices:list")).content.decode()
    assert client.get(reverse("notices:open", args=[notice.pk])).status_code == 404
    client.post(reverse("notices:list"))
    notice.refresh_from_db()
    assert notice.read_at is None
    # The recipient still reads and clears their own.
    assert list(unread_for(world.ent_admin_in)) == [notice]
    assert mark_read(world.ent_admin_in) == 1
