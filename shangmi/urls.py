from django.conf import settings
from django.conf.urls.static import static
from django.urls import URLPattern, URLResolver, include, path

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
    path("api/", include("shangmi.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
