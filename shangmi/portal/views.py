"""The public portal: what needs no account, on one front.

Every page here reads published rows only, through the ``Published*`` / ``PublicAlert``
proxies (their managers hold nothing else) or public reference data (laws, country guides,
institutions). Titles, the clue report and receipt verification stay on their own apps'
public pages; the portal links to them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, View

from shangmi.core.calendar import local_midnight, program_today
from shangmi.core.lists import PublicListView
from shangmi.knowledge.models import (
    CountryGuide,
    Institution,
    Law,
    PublicAlert,
    PublishedCase,
    PublishedNews,
    SearchEntry,
)
from shangmi.knowledge.pdfs import Section, document, month_label
from shangmi.knowledge.search import search
from shangmi.knowledge.selectors import comparison, in_force
from shangmi.regions.models import Region


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


class PortalHomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            alerts=PublicAlert.objects.order_by("-published_at", "-pk")[:3],
            news=PublishedNews.objects.order_by("-published_at", "-pk")[:5],
            cases=PublishedCase.objects.order_by("-decided_on", "-pk")[:3],
            guides=CountryGuide.objects.all(),
            law_count=Law.objects.count(),
        )
        return context


# --- laws ---------------------------------------------------------------------------------


class LawListView(PublicListView):
    model = Law
    template_name = "portal/law_list.html"
    paginate_by = 50

    def base_queryset(self) -> QuerySet[Law]:
        return Law.objects.annotate(article_count=Count("articles")).order_by("kind", "code")


class LawDetailView(DetailView):
    model = Law
    template_name = "portal/law_detail.html"

    def get_queryset(self) -> QuerySet[Law]:
        return Law.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        law: Law = self.object
        raw = self.request.GET.get("on", "").strip()
        on: datetime.date | None = None
        error = ""
        if raw:
            try:
                on = datetime.date.fromisoformat(raw)
            except ValueError:
                error = _("%(value)s is not a date (YYYY-MM-DD).") % {"value": raw[:20]}
        articles = law.articles.order_by("order", "number", "effective_from")
        if on is not None:
            articles = articles.filter(in_force(on))
        context.update(articles=articles, on=on, on_raw=raw[:20], date_error=error, today=program_today())
        return context


# --- country guides -----------------------------------------------------------------------


class CountryListView(PublicListView):
    model = CountryGuide
    template_name = "portal/country_list.html"

    def base_queryset(self) -> QuerySet[CountryGuide]:
        return CountryGuide.objects.all()


class CountryDetailView(DetailView):
    model = CountryGuide
    template_name = "portal/country_detail.html"

    def get_queryset(self) -> QuerySet[CountryGuide]:
        return CountryGuide.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = comparison([self.object])
        context["rows"] = [(row.label, row.cells[0]) for row in rows]
        return context


class CountryCompareView(TemplateView):
    """Countries side by side, one row per field of the guide."""

    model = CountryGuide
    template_name = "portal/country_compare.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        all_guides = list(CountryGuide.objects.all())
        asked = [code.upper() for code in self.request.GET.getlist("c")][:6]
        chosen = [g for g in all_guides if g.code in asked] or all_guides[:3]
        context.update(guides=all_guides, chosen=chosen, codes={g.code for g in chosen}, rows=comparison(chosen))
        return context


# --- cases, alerts, news ------------------------------------------------------------------


class CaseListView(PublicListView):
    model = PublishedCase
    template_name = "portal/case_list.html"
    paginate_by = 20

    def base_queryset(self) -> QuerySet[Any]:
        return PublishedCase.objects.select_related("region").order_by("-decided_on", "-pk")


class CaseDetailView(DetailView):
    model = PublishedCase
    template_name = "portal/case_detail.html"
    context_object_name = "case"

    def get_queryset(self) -> QuerySet[Any]:
        return PublishedCase.objects.select_related("region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["articles"] = self.object.articles.select_related("law")
        return context


class CaseCompilationView(View):
    """A region's published typical cases as one PDF (?region=<code>; none: every region)."""

    model = PublishedCase

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = PublishedCase.objects.select_related("region").prefetch_related("articles__law")
        code = request.GET.get("region", "").strip()
        name = _("All regions")
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise Http404
            rows = rows.filter(region__path__subtree=region.path)
            name = region.full_name
        sections = [
            Section(
                case.title,
                f"{case.authority} · {case.decided_on:%Y-%m-%d}",
                [
                    case.summary,
                    _("Outcome: %(outcome)s") % {"outcome": case.outcome},
                    *(
                        [_("Articles cited: %(list)s") % {"list": "；".join(f"{a.law.title}{a.label}" for a in arts)}]
                        if (arts := list(case.articles.all()))
                        else []
                    ),
                ],
            )
            for case in rows.order_by("-decided_on", "-pk")
        ]
        content = document(
            _("Typical cases of trade secret protection"),
            _("%(region)s · compiled %(date)s") % {"region": name, "date": program_today().isoformat()},
            sections,
            _("No typical case has been published yet."),
        )
        return _pdf(content, "typical-cases.pdf")


class AlertListView(PublicListView):
    model = PublicAlert
    template_name = "portal/alert_list.html"
    paginate_by = 20

    def base_queryset(self) -> QuerySet[Any]:
        return PublicAlert.objects.select_related("region").order_by("-published_at", "-pk")


class AlertDetailView(DetailView):
    model = PublicAlert
    template_name = "portal/alert_detail.html"
    context_object_name = "alert"

    def get_queryset(self) -> QuerySet[Any]:
        return PublicAlert.objects.select_related("region")


class NewsListView(PublicListView):
    model = PublishedNews
    template_name = "portal/news_list.html"
    paginate_by = 20

    def base_queryset(self) -> QuerySet[Any]:
        return PublishedNews.objects.select_related("region").order_by("-published_at", "-pk")

    def page_context(self, page: Any) -> dict[str, Any]:
        return {"this_month": program_today().strftime("%Y-%m")}


class NewsDetailView(DetailView):
    model = PublishedNews
    template_name = "portal/news_detail.html"
    context_object_name = "article"

    def get_queryset(self) -> QuerySet[Any]:
        return PublishedNews.objects.select_related("region")


def month_bounds(raw: str) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """The first day of ``YYYY-MM`` (this month when empty) and its bounds in program time."""
    if raw:
        try:
            first = datetime.date.fromisoformat(f"{raw}-01")
        except ValueError as exc:
            raise Http404 from exc
    else:
        first = program_today().replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, local_midnight(first), local_midnight(following)


class BulletinView(View):
    """The monthly e-bulletin: the month's published articles, as a PDF (?month=YYYY-MM)."""

    model = PublishedNews

    def get(self, request: HttpRequest) -> HttpResponse:
        first, start, end = month_bounds(request.GET.get("month", "").strip()[:7])
        rows = (
            PublishedNews.objects.select_related("region")
            .filter(published_at__gte=start, published_at__lt=end)
            .order_by("published_at", "pk")
        )
        sections = [
            Section(
                article.title,
                f"{article.region.full_name} · {article.published_at:%Y-%m-%d}" if article.published_at else "",
                [p for p in article.body.splitlines() if p.strip()],
            )
            for article in rows
        ]
        content = document(
            _("Trade secret protection e-bulletin, %(month)s") % {"month": month_label(first)},
            _("The articles published in the publicity column this month."),
            sections,
            _("No article was published this month."),
        )
        return _pdf(content, f"bulletin-{first:%Y-%m}.pdf")


class InstitutionListView(PublicListView):
    model = Institution
    template_name = "portal/institution_list.html"

    def base_queryset(self) -> QuerySet[Institution]:
        rows = Institution.objects.select_related("region").order_by("region__code", "kind", "name")
        code = self.request.GET.get("region", "").strip()
        if code:
            region = Region.objects.filter(code=code).first()
            rows = rows.filter(region__path__subtree=region.path) if region else rows.none()
        return rows

    def page_context(self, page: Any) -> dict[str, Any]:
        regions = Region.objects.filter(pk__in=Institution.objects.values("region")).order_by("code")
        return {"regions": regions, "region_code": self.request.GET.get("region", "").strip()}


class PortalSearchView(TemplateView):
    """Search as the public: published entries only, linked to their public pages."""

    model = SearchEntry
    template_name = "knowledge/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        kind = self.request.GET.get("kind", "")
        if kind not in SearchEntry.Kind.values:
            kind = ""
        results = search(query, None, kind=kind) if query else None
        context.update(query=query, kind=kind, kinds=SearchEntry.Kind.choices, results=results, public=True)
        return context


# --- for search engines -------------------------------------------------------------------


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /portal/",
        "Allow: /creation/announcements/",
        "Allow: /enforcement/report/",
        "Disallow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_xml'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """The public pages: the portal's lists and every published row."""
    paths = [
        reverse("portal:home"),
        reverse("portal:law_list"),
        reverse("portal:country_list"),
        reverse("portal:country_compare"),
        reverse("portal:case_list"),
        reverse("portal:alert_list"),
        reverse("portal:news_list"),
        reverse("portal:institution_list"),
        reverse("creation:announcements"),
        reverse("enforcement:clue_report"),
        reverse("evidence:verify"),
    ]
    paths += [law.get_absolute_url() for law in Law.objects.order_by("pk")]
    paths += [guide.get_absolute_url() for guide in CountryGuide.objects.order_by("pk")]
    paths += [row.get_absolute_url() for row in PublishedCase.objects.order_by("pk")]
    paths += [row.get_absolute_url() for row in PublishedNews.objects.order_by("pk")]
    paths += [row.get_absolute_url() for row in PublicAlert.objects.order_by("pk")]
    urls = "".join(f"<url><loc>{request.build_absolute_uri(path)}</loc></url>" for path in paths)
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
