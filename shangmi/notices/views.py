"""A person's notifications: listed newest first; opening one marks it read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from shangmi.core.lists import ScopedListView
from shangmi.core.views import ScopedViewMixin
from shangmi.notices.models import Notification
from shangmi.notices.services import mark_read


class NotificationListView(ScopedListView):
    model = Notification
    template_name = "notices/list.html"
    paginate_by = 50

    def post(self, request: HttpRequest) -> HttpResponse:
        mark_read(request.user)
        return HttpResponseRedirect(reverse("notices:list"))


class NotificationOpenView(ScopedViewMixin, SingleObjectMixin, View):
    """Mark read and follow the link; a link that leaves the site goes back to the list."""

    model = Notification

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notification = self.get_object()
        mark_read(request.user, [notification.pk])
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("notices:list")
        return HttpResponseRedirect(target)
