"""Pages of titles: the public announcement and verification page, the plaque PDF, revocation,
and the management list. Thin: shangmi.creation.titles.services does the work.

The announcement and a title's public page need no sign-in on purpose: titles are announced
publicly, and the plaque's QR code must open for anyone who scans it. They read ``Title``
directly (``restrict`` answers nothing to an anonymous visitor) and show only what the
announcement shows: the holder's name, the title, its number, dates and status; never the
application behind it, the holder's registration data, or why a title was revoked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import PublicListView, ScopedListView
from shangmi.core.scoping import CHANGE
from shangmi.core.views import ScopedViewMixin
from shangmi.creation.models import DemoType, Level, Title
from shangmi.creation.titles.filters import AnnouncementFilter, TitleFilter
from shangmi.creation.titles.plaque import chinese_date, issuer_name, render_plaque, title_text
from shangmi.creation.titles.services import (
    RE_EVALUATION_DAYS,
    announcement_regions,
    announcement_rows,
    announcement_years,
    effective_status,
    revocable_ids,
    revoke_title,
    titles_concerning,
)
from shangmi.pdf.links import public_base_url


def _rows(titles: Any) -> list[dict[str, Any]]:
    """Each title with its composed name and its status as of today."""
    today = program_today()
    return [
        {
            "title": title,
            "name": title_text(title.level, title.demo_type, title.awarding_region),
            "status": (status := effective_status(title, today)),
            "status_label": Title.Status(status).label,
        }
        for title in titles
    ]


class AnnouncementListView(PublicListView):
    """Public: every title awarded, by region and year.

    Revoked titles stay listed, marked revoked with the date: the announcement is the public
    record, and a title that silently vanished would let a plaque keep hanging on a wall with
    nobody able to tell it was withdrawn. The USCC is not shown even though it is public
    registration data: the announcement names holders as they were awarded (parks and districts
    have none), and the public page needs nothing from the enterprise registry.
    """

    model = Title  # what the page shows (the scope walk reads it); public, so no restrict()
    filterset_class = AnnouncementFilter
    template_name = "creation/announcements.html"

    def base_queryset(self) -> QuerySet[Title]:
        return announcement_rows()

    def page_context(self, page: Page) -> dict[str, Any]:
        return {
            "rows": _rows(page.object_list),
            "regions": announcement_regions(),
            "years": announcement_years(),
            "types": DemoType.choices,
            "levels": Level.choices,
        }


class TitlePublicView(DetailView):
    """Public: one title and whether it is valid today; what the plaque's QR code opens."""

    model = Title  # public, like the announcement
    template_name = "creation/title_public.html"
    context_object_name = "title"

    def get_object(self, queryset: Any = None) -> Title:
        return get_object_or_404(Title.objects.select_related("awarding_region__parent"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        title = self.object
        context.update(
            name=title_text(title.level, title.demo_type, title.awarding_region),
            issuer=issuer_name(title.level, title.awarding_region),
            status=(status := effective_status(title)),
            status_label=Title.Status(status).label,
            awarded_zh=chinese_date(title.awarded_on),
            valid_until_zh=chinese_date(title.valid_until),
            can_revoke=bool(revocable_ids(self.request.user, [title])),
        )
        return context


class TitleCertificateView(ScopedViewMixin, DetailView):
    """The plaque certificate PDF; titles are public, so any signed-in user may download one."""

    model = Title

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        title = self.get_object()
        if title.status == Title.Status.REVOKED:
            # A fresh plaque of a revoked title would only spread a false claim.
            messages.error(request, _("This title was revoked; its certificate can no longer be downloaded."))
            return HttpResponseRedirect(reverse("creation:title_public", args=[title.pk]))
        pdf = render_plaque(title, public_base_url(request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="title-{title.number}.pdf"'
        return response


class RevokeForm(forms.Form):
    # Not required here: the service says what is missing, in the one message tests assert on.
    reason = forms.CharField(
        label=gettext_lazy("Reason for revocation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=gettext_lazy("Kept in the application's record; the public page shows only that and when."),
    )


class TitleRevokeView(ScopedViewMixin, DetailView):
    """GET: the form; POST: revoke with a reason. Only the awarding region's regulators (CHANGE)."""

    model = Title
    action = CHANGE
    template_name = "creation/title_revoke.html"
    context_object_name = "title"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        title = self.object
        context.setdefault("form", RevokeForm())
        context["name"] = title_text(title.level, title.demo_type, title.awarding_region)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()  # out of scope: 404 before anything is read
        form = RevokeForm(request.POST)
        if form.is_valid():
            title = self.object
            revoked = save_through(
                form, lambda: revoke_title(title, signed_in_user(request), form.cleaned_data["reason"])
            )
            if revoked is not None:
                messages.success(request, _("The title was revoked."))
                return HttpResponseRedirect(reverse("creation:title_public", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TitleListView(ScopedListView):
    """Titles that concern the user, with expiry filters (e.g. ending within 90 days)."""

    model = Title
    filterset_class = TitleFilter
    template_name = "creation/title_list.html"

    def base_queryset(self) -> QuerySet[Title]:
        return titles_concerning(signed_in_user(self.request))

    def page_context(self, page: Page) -> dict[str, Any]:
        return {
            "rows": _rows(page.object_list),
            "revocable": revocable_ids(signed_in_user(self.request), page.object_list),
            "statuses": Title.Status.choices,
            "types": DemoType.choices,
            "levels": Level.choices,
            "re_evaluation_days": RE_EVALUATION_DAYS,
        }
