"""View building blocks: every page reads its rows through ``restrict``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.generic import View
from django.views.generic.base import TemplateResponseMixin

from shangmi.core.errors import AppError
from shangmi.core.scoping import VIEW, get_scoped_or_404, may, restricted

_M = TypeVar("_M", bound=models.Model)


class PasswordChangeRequiredMixin(LoginRequiredMixin):
    """A signed-in person whose account is new (or reset) must first choose a password.

    The sign-in view sends them to the password page once; this keeps them there, so the
    initial password someone else typed is never used for more than that.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return super().dispatch(request, *args, **kwargs)


class ScopedViewMixin(PasswordChangeRequiredMixin):
    """Rows come from ``model.objects.restrict(user, action)``; anything else is a 404.

    The scope walk test (tests/test_scope_walk.py) finds every view through this mixin's
    ``model`` attribute, so a new page is checked against strangers without being listed.
    """

    request: HttpRequest
    model: type[models.Model]
    action: ClassVar[str] = VIEW

    def get_queryset(self) -> models.QuerySet[Any]:
        return restricted(self.model, self.request.user, self.action)


class RightRequiredMixin(ScopedViewMixin):
    """Pages that only write (a new row, an import, a template to fill): whoever may not do
    ``action`` on any row of ``model`` gets a 404, as for a row out of scope."""

    def has_right(self, user: Any) -> bool:
        return may(user, self.action, self.model)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not self.has_right(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectViewMixin(ScopedViewMixin):
    """For pages about one row (``pk`` in the URL): the row is checked against the user's
    scope before anything else, so a stranger gets 404 whatever the method, never a 405
    that would tell the row exists."""

    scoped_object: models.Model

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and "pk" in kwargs:
            # Kept for the view (scoped_row): the row is read once per request.
            self.scoped_object = get_scoped_or_404(self.model, request.user, self.action, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def scoped_object_as(self, kind: type[_M]) -> _M:
        """The row of the URL, typed as ``kind`` (the view's model), for a typed view."""
        row = self.scoped_object
        if not isinstance(row, kind):
            raise TypeError(
                f"{type(self).__name__}: the row of the URL is a {type(row).__name__}, not a {kind.__name__}"
            )
        return row

    def scoped_row(self, pk: Any) -> Any:
        """The row of the URL as checked on arrival; another ``pk`` is read (and checked) anew."""
        found = getattr(self, "scoped_object", None)
        if found is not None and str(found.pk) == str(pk):
            return found
        return get_scoped_or_404(self.model, self.request.user, self.action, pk=pk)


class ScopedFileView(ScopedObjectViewMixin, View):
    """The stored file of one row, served only through the row's scope: uploaded files are
    never reachable by a /media/ URL, so a stranger who guesses a path gets nothing and a
    stranger who guesses an id gets a 404."""

    # Seconds a browser may keep the file (photos shown as thumbnails); None: no cache header.
    private_max_age: ClassVar[int | None] = None

    def stored_file(self, row: Any) -> FieldFile | None:
        stored: FieldFile | None = row.file
        return stored

    def download_name(self, row: Any) -> str:
        name: str = row.original_name
        return name

    def content_type(self, row: Any) -> str | None:
        return getattr(row, "content_type", None) or None

    def inline(self, row: Any) -> bool:
        """Shown in the browser rather than downloaded (only for types checked on upload)."""
        return False

    def get(self, request: HttpRequest, pk: Any) -> HttpResponseBase:
        row = self.scoped_row(pk)
        stored = self.stored_file(row)
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=not self.inline(row),
            filename=self.download_name(row),
            content_type=self.content_type(row),
        )
        if self.private_max_age is not None:
            patch_cache_control(response, private=True, max_age=self.private_max_age)
        return response


class HtmxFragmentMixin(TemplateResponseMixin):
    """The same list view answers a full page, or only the table for an htmx request
    (none set: the full page always)."""

    request: HttpRequest
    fragment_template_name: ClassVar[str | None] = None

    def get_template_names(self) -> list[str]:
        # django-htmx's middleware sets request.htmx; HttpRequest itself does not declare it.
        htmx = getattr(self.request, "htmx", None)
        if self.fragment_template_name is not None and htmx and not htmx.boosted:
            return [self.fragment_template_name]
        return super().get_template_names()


@dataclass
class Outcome:
    """What ``refusals_as_messages`` saw: the refusal, or None when the service went through."""

    refused: AppError | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None


@contextmanager
def refusals_as_messages(request: HttpRequest) -> Iterator[Outcome]:
    """Run an action's service call; a refusal (AppError) becomes an error message on the
    next page instead of a 500, the same way in every app.

    Usage::

        with refusals_as_messages(request) as outcome:
            services.do_it(...)
        if outcome.ok:
            messages.success(request, _("Done."))
        return redirect(...)
    """
    outcome = Outcome()
    try:
        yield outcome
    except AppError as exc:
        outcome.refused = exc
        messages.error(request, exc.text)


class ScopedActionView(ScopedObjectViewMixin, View):
    """A button on a row's page: the row of the URL (404 outside the scope), one service call
    in ``run`` that answers the message to show, its refusal shown as a message instead, then
    back to ``after(row)`` (the row's own page unless a subclass says otherwise)."""

    http_method_names = ["post"]

    def run(self, user: Any, row: Any) -> str:
        raise NotImplementedError(f"{type(self).__name__} names no service to run")

    def after(self, row: Any) -> str:
        return str(row.get_absolute_url())

    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        row = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            done = self.run(request.user, row)
        if outcome.ok:
            messages.success(request, done)
        return HttpResponseRedirect(self.after(row))
