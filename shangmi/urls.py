from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.views.defaults import page_not_found as site_page_not_found

from shangmi.portal import views as portal_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("shangmi.home.urls")),
    path("accounts/", include("shangmi.accounts.urls")),
    path("regions/", include("shangmi.regions.urls")),
    path("enterprises/", include("shangmi.enterprises.urls")),
    path("jobs/", include("shangmi.jobs.urls")),
    path("evidence/", include("shangmi.evidence.urls")),
    path("notices/", include("shangmi.notices.urls")),
    path("standards/", include("shangmi.standards.urls")),
    path("creation/", include("shangmi.creation.urls")),
    path("targets/", include("shangmi.targets.urls")),
    path("network/", include("shangmi.network.urls")),
    path("ledgers/", include("shangmi.ledgers.urls")),
    path("surveys/", include("shangmi.surveys.urls")),
    path("enforcement/", include("shangmi.enforcement.urls")),
    path("protection/", include("shangmi.protection.urls")),
    path("dashboard/", include("shangmi.dashboard.urls")),
    path("plans/", include("shangmi.plans.urls")),
    path("experts/", include("shangmi.experts.urls")),
    path("knowledge/", include("shangmi.knowledge.urls")),
    path("portal/", include("shangmi.portal.urls")),
    # For search engines: the public pages only (shangmi/portal).
    path("robots.txt", portal_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", portal_views.sitemap_xml, name="sitemap_xml"),
    path("api/", include("shangmi.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
# No /media/ route, not even in debug mode: uploaded files are served only by the scoped
# download views (shangmi.core.views.ScopedFileView), never by their storage path.


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 page; under /api/ a JSON answer, as every other API error is."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found. / 未找到。"}, status=404)
    return site_page_not_found(request, exception)


handler404 = page_not_found
