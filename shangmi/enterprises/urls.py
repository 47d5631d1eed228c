from django.urls import path

from shangmi.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
]

from shangmi.enterprises import views_io  # noqa: E402 - appended with the Excel import/export

urlpatterns += [
    path("import/", views_io.EnterpriseImportView.as_view(), name="import"),
    path("import/template/", views_io.EnterpriseImportTemplateView.as_view(), name="import_template"),
    path("export/", views_io.EnterpriseExportView.as_view(), name="export"),
]
