from django.urls import URLPattern, path

from shangmi.protection import views

app_name = "protection"
urlpatterns: list[URLPattern] = [
    path("secret-points/", views.SecretPointListView.as_view(), name="secret_point_list"),
    path("secret-points/new/", views.SecretPointCreateView.as_view(), name="secret_point_create"),
    path("secret-points/export/", views.SecretPointExportView.as_view(), name="secret_point_export"),
    path("secret-points/<int:pk>/", views.SecretPointDetailView.as_view(), name="secret_point_detail"),
    path("secret-points/<int:pk>/change/", views.SecretPointUpdateView.as_view(), name="secret_point_update"),
    path("secret-points/<int:pk>/file/", views.SecretPointFileView.as_view(), name="secret_point_file"),
    path(
        "secret-points/<int:pk>/declassify/", views.SecretPointDeclassifyView.as_view(), name="secret_point_declassify"
    ),
    path("secret-points/<int:pk>/destroy/", views.SecretPointDestroyView.as_view(), name="secret_point_destroy"),
]
