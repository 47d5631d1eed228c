from django.urls import path

from shangmi.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.ProgressView.as_view(), name="progress"),
    path("export/", views.ProgressExportView.as_view(), name="export"),
    path("import/", views.TargetImportView.as_view(), name="import"),
    path("new/", views.TargetCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.TargetUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.TargetDeleteView.as_view(), name="delete"),
    path("programs/", views.ProgramListView.as_view(), name="program_list"),
    path("programs/new/", views.ProgramCreateView.as_view(), name="program_create"),
    path("programs/<int:pk>/edit/", views.ProgramUpdateView.as_view(), name="program_update"),
    path("coaching/", views.CoachingView.as_view(), name="coaching"),
    path("coaching/export/", views.CoachingExportView.as_view(), name="coaching_export"),
    path("coaching/<int:pk>/remove/", views.CoachingRemoveView.as_view(), name="coaching_remove"),
]
