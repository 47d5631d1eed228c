"""The guidance ledger's pages, included into the "ledgers" namespace by shangmi/ledgers/urls.py."""

from django.urls import path

from shangmi.ledgers.guidance import views

urlpatterns: list = [
    path("guidance/", views.GuidanceListView.as_view(), name="guidance_list"),
    path("guidance/new/", views.GuidanceCreateView.as_view(), name="guidance_create"),
    path("guidance/export/", views.GuidanceExportView.as_view(), name="guidance_export"),
    path("guidance/half-year/", views.GuidanceHalfYearView.as_view(), name="guidance_halfyear"),
    path("guidance/<int:pk>/", views.GuidanceDetailView.as_view(), name="guidance_detail"),
    path("guidance/<int:pk>/edit/", views.GuidanceUpdateView.as_view(), name="guidance_update"),
    path("guidance/attachments/<int:pk>/", views.GuidanceAttachmentView.as_view(), name="guidance_attachment"),
    path(
        "guidance/attachments/<int:pk>/thumbnail/",
        views.GuidanceThumbnailView.as_view(),
        name="guidance_thumbnail",
    ),
    path(
        "guidance/attachments/<int:pk>/delete/",
        views.GuidanceAttachmentDeleteView.as_view(),
        name="guidance_attachment_delete",
    ),
]
