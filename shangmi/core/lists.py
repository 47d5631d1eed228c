"""The scoped list kit: one FilterSet per list drives its page, its htmx fragment, its export
and (where there is one) its API list.

A list is declared, not written::

    class StationRows(FilteredRowsMixin):
        model = Station                      # rows come from Station.objects.restrict(user)
        filterset_class = StationFilter      # a ScopedFilterSet: the query string's filters
        ordering = ("region_id", "name", "pk")

    class StationListView(StationRows, ScopedListView):
        template_name = "network/station_list.html"

    class StationExportView(StationRows, ScopedExportView):
        def export(self, rows): return stations_export(rows)

The page gets ``page`` (a Django Page of at most ``paginate_by`` rows), ``filter`` (the bound
FilterSet, for the filter bar) and ``query`` (the query string without the page number, for
the pager and the export link, so the export follows the filter). Out of scope is simply not
in the rows; a row page of someone else's is the detail view's 404.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from shangmi.core.views import HtmxFragmentMixin, ScopedViewMixin


class ScopedFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """A FilterSet that knows who reads: choices offered by a filter (parks, officers, regions)
    are narrowed to the reader's scope in ``narrow`` so a filter never lists or accepts a row
    the reader may not see. Built with ``user=`` by the kit, or ``request=`` by DRF."""

    def __init__(self, data: Any = None, queryset: Any = None, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        request = kwargs.get("request")
        self.user = user if user is not None else getattr(request, "user", None)
        self.narrow(self.user)

    def narrow(self, user: Any) -> None:
        """Restrict the querysets of choice filters to ``user``'s scope (override)."""

    def error_texts(self) -> list[str]:
        """ "Filter: what is wrong" for each value the filter refused, for the page to show."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [
            f"{self.form.fields[name].label}: {error}" if name in self.form.fields else str(error)
            for name, errors in self.form.errors.items()
            for error in errors
        ]


def query_without_page(request: HttpRequest) -> str:
    """The current query string less ``page``: the pager's and the export link's base."""
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_of(request: HttpRequest, rows: Any, per_page: int = 50, *, count: int | None = None) -> Page[Any]:
    """The page of ``rows`` the query string asks for; a number past the end is the last page.
    Every paginated table uses it: the kit's lists, and the tables inside a detail page (an
    activity's participants, a round's applications). ``count``: the number of rows when the
    page has counted them already (a second COUNT can cost as much as the page)."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


class FilteredRows:
    """``base_queryset`` -> the FilterSet -> ``ordering``: the rows a list shows and its export
    writes, computed the same way for both."""

    request: HttpRequest
    filterset_class: ClassVar[type[ScopedFilterSet] | None] = None
    # None: the order base_queryset gives (its order_by, else the model's Meta.ordering).
    ordering: ClassVar[Sequence[str] | None] = None

    def base_queryset(self) -> QuerySet[Any]:
        """The rows before filtering; scoped lists start from restrict() (FilteredRowsMixin)."""
        raise ImproperlyConfigured(f"{type(self).__name__} must say which rows it lists (base_queryset)")

    @cached_property
    def filterset(self) -> ScopedFilterSet | None:
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET or None, queryset=self.base_queryset(), user=self.request.user)

    @property
    def filter_refused(self) -> bool:
        """The query string holds a value the filter does not accept (a park out of scope, a
        status that does not exist, a date that is not one)."""
        filterset = self.filterset
        return filterset is not None and filterset.is_bound and not filterset.is_valid()

    def rows(self) -> QuerySet[Any]:
        filterset = self.filterset
        if filterset is None:
            return self._ordered(self.base_queryset())
        if self.filter_refused:
            # django-filter drops a refused value and filters on the rest, so a typo in a
            # filter would show, or export, every row as if it were the answer. No rows instead;
            # the page says which filter refused what (includes/filter_errors.html).
            none: QuerySet[Any] = filterset.queryset.none()
            return none
        return self._ordered(filterset.qs if filterset.is_bound else filterset.queryset)

    def _ordered(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        # A filter that sorts (?sort=...) has ordered the rows already; otherwise the list's own order.
        if rows.query.order_by or self.ordering is None:
            return rows
        return rows.order_by(*self.ordering)


class FilteredRowsMixin(ScopedViewMixin, FilteredRows):
    """Filtered rows out of ``model.objects.restrict(user, action)``."""

    def base_queryset(self) -> QuerySet[Any]:
        return self.get_queryset()


class _PageOfRows(FilteredRows, HtmxFragmentMixin, TemplateView):
    paginate_by: ClassVar[int] = 50

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A refused filter: the page with what is wrong, answered as the bad request it is.
        response = super().get(request, *args, **kwargs)
        if self.filter_refused:
            response.status_code = 400
        return response

    # The rows of the page under a name of the template's own (as ListView's option of that name).
    context_object_name: ClassVar[str | None] = None

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        """What the page needs beside its rows (rights per row, choices); one query each, not per row."""
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = page_of(self.request, self.rows(), self.paginate_by)
        context.update(
            page=page,
            # ListView's names too, so a template or test written for ListView reads the same.
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            object_list=page.object_list,
            filter=self.filterset,
            # The filters' values as typed, for filter bars written out in the template.
            params={name: self.request.GET.get(name, "").strip() for name in getattr(self.filterset, "filters", ())},
            query=query_without_page(self.request),
        )
        if self.context_object_name:
            context[self.context_object_name] = page.object_list
        context.update(self.page_context(page))
        return context


class ScopedListView(FilteredRowsMixin, _PageOfRows):
    """A page of the reader's rows with its filter bar; an htmx request gets only
    ``fragment_template_name``."""


class PublicListView(_PageOfRows):
    """A list anyone may read without signing in (the announcement of titles, published
    cases). ``model`` names what it shows (the scope walk reads it); ``base_queryset`` must
    say which rows are public, since restrict() answers nothing to an anonymous visitor."""

    model: ClassVar[type[Any]]

    def base_queryset(self) -> QuerySet[Any]:
        raise ImproperlyConfigured(f"{type(self).__name__} must say which rows are public (base_queryset)")


class ScopedExportView(FilteredRowsMixin, View, ABC):
    """The same rows as the list, every one of them, written by ``export`` (an .xlsx response)."""

    @abstractmethod
    def export(self, rows: QuerySet[Any]) -> HttpResponseBase:
        """The response carrying ``rows`` (all of them, not a page)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.filter_refused:
            # Never an empty (or a complete) file for a filter that was not understood.
            assert self.filterset is not None
            problems = "; ".join(str(e) for errors in self.filterset.errors.values() for e in errors)
            return HttpResponseBadRequest(
                _("The export was not made: a filter value is not accepted (%(problems)s).") % {"problems": problems},
                content_type="text/plain; charset=utf-8",
            )
        return self.export(self.rows())
