from django.urls import path

from shangmi.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="region"),
    path("boundaries.json", views.BoundariesView.as_view(), name="boundaries"),
    path("export.xlsx", views.DashboardXlsxView.as_view(), name="export_xlsx"),
    path("export.pdf", views.DashboardPdfView.as_view(), name="export_pdf"),
]
