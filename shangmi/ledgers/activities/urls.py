"""URLs of the activity ledger and the trainings (included into the ``ledgers`` namespace)."""

from django.urls import path

from shangmi.ledgers.activities import views

urlpatterns = [
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/export/", views.ActivityExportView.as_view(), name="activity_export"),
    path(
        "activities/participants/template/",
        views.ParticipantTemplateView.as_view(),
        name="activity_participant_template",
    ),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity_update"),
    path("activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("activities/<int:pk>/participants/", views.ParticipantAddView.as_view(), name="activity_participant_add"),
    path(
        "activities/<int:pk>/participants/import/",
        views.ParticipantImportView.as_view(),
        name="activity_participant_import",
    ),
    path("activities/<int:pk>/materials/", views.MaterialUploadView.as_view(), name="activity_material_upload"),
    path(
        "activities/participants/<int:pk>/delete/",
        views.ParticipantDeleteView.as_view(),
        name="activity_participant_delete",
    ),
    path("activities/materials/<int:pk>/", views.MaterialDownloadView.as_view(), name="activity_material_download"),
    path(
        "activities/materials/<int:pk>/delete/",
        views.MaterialDeleteView.as_view(),
        name="activity_material_delete",
    ),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/<int:pk>/", views.TrainingEnterpriseView.as_view(), name="training_enterprise"),
]
