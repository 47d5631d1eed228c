from django.urls import include, path

urlpatterns = [
    path("", include("shangmi.core.urls")),
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
# No /media/ route, not even in debug mode: uploaded files are served only by the scoped
# download views (shangmi.core.views.ScopedFileView), never by their storage path.
