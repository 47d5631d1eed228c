from django.urls import URLPattern, path

from shangmi.portal import views

# Public: no account needed (tests/test_scope_walk.py ANONYMOUS_OK; tests/knowledge/test_portal.py).
app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("search/", views.PortalSearchView.as_view(), name="search"),
    path("laws/", views.LawListView.as_view(), name="law_list"),
    path("laws/<int:pk>/", views.LawDetailView.as_view(), name="law_detail"),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path("countries/compare/", views.CountryCompareView.as_view(), name="country_compare"),
    path("countries/<int:pk>/", views.CountryDetailView.as_view(), name="country_detail"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/compilation.pdf", views.CaseCompilationView.as_view(), name="case_compilation"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("news/", views.NewsListView.as_view(), name="news_list"),
    path("news/bulletin.pdf", views.BulletinView.as_view(), name="bulletin"),
    path("news/<int:pk>/", views.NewsDetailView.as_view(), name="news_detail"),
    path("institutions/", views.InstitutionListView.as_view(), name="institution_list"),
]
