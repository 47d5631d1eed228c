from django.urls import URLPattern, path

from shangmi.knowledge import views

app_name = "knowledge"
urlpatterns: list[URLPattern] = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("markets/", views.ExportMarketListView.as_view(), name="market_list"),
    path("markets/add/", views.ExportMarketAddView.as_view(), name="market_add"),
    path("markets/<int:pk>/remove/", views.ExportMarketRemoveView.as_view(), name="market_remove"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/new/", views.AlertCreateView.as_view(), name="alert_create"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("alerts/received/", views.ReceivedAlertListView.as_view(), name="alert_received_list"),
    path("alerts/received/<int:pk>/", views.ReceivedAlertView.as_view(), name="alert_received"),
    path("alerts/<int:pk>/publish/", views.AlertPublishView.as_view(), name="alert_publish"),
    path("institutions/new/", views.InstitutionCreateView.as_view(), name="institution_create"),
    path("news/", views.NewsListView.as_view(), name="news_list"),
    path("news/new/", views.NewsCreateView.as_view(), name="news_create"),
    path("news/<int:pk>/", views.NewsDetailView.as_view(), name="news_detail"),
    path("news/<int:pk>/publish/", views.NewsPublishView.as_view(), name="news_publish"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/submit/", views.CaseSubmitView.as_view(), name="case_submit"),
    path("cases/<int:pk>/review/", views.CaseReviewView.as_view(), name="case_review"),
    path("documents/", views.DocumentListView.as_view(), name="document_list"),
    path("documents/new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("documents/<int:pk>/publish/", views.DocumentPublishView.as_view(), name="document_publish"),
    path("documents/versions/<int:pk>/", views.VersionDownloadView.as_view(), name="version_download"),
]
