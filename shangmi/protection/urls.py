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
    path("secret-points/<int:pk>/deposit/", views.SecretPointDepositView.as_view(), name="secret_point_deposit"),
    path("secret-points/<int:pk>/dossier.pdf", views.SecretPointDossierView.as_view(), name="secret_point_dossier"),
    path("secret-points/<int:pk>/receipts.zip", views.SecretPointReceiptsView.as_view(), name="secret_point_receipts"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("people/export/", views.PersonExportView.as_view(), name="person_export"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/change/", views.PersonUpdateView.as_view(), name="person_update"),
    path("people/<int:pk>/departure/", views.PersonDepartureView.as_view(), name="person_departure"),
    path("people/<int:pk>/departure.xlsx", views.PersonDepartureExportView.as_view(), name="person_departure_export"),
    path("people/<int:pk>/depart/", views.PersonDepartView.as_view(), name="person_depart"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/export/", views.AgreementExportView.as_view(), name="agreement_export"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/change/", views.AgreementUpdateView.as_view(), name="agreement_update"),
    path("carriers/", views.CarrierListView.as_view(), name="carrier_list"),
    path("carriers/new/", views.CarrierCreateView.as_view(), name="carrier_create"),
    path("carriers/export/", views.CarrierExportView.as_view(), name="carrier_export"),
    path("carriers/<int:pk>/", views.CarrierDetailView.as_view(), name="carrier_detail"),
    path("carriers/<int:pk>/change/", views.CarrierUpdateView.as_view(), name="carrier_update"),
    path("carriers/<int:pk>/log/", views.CarrierLogView.as_view(), name="carrier_log"),
    path("engagements/", views.EngagementListView.as_view(), name="engagement_list"),
    path("engagements/new/", views.EngagementCreateView.as_view(), name="engagement_create"),
    path("engagements/export/", views.EngagementExportView.as_view(), name="engagement_export"),
    path("engagements/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/change/", views.EngagementUpdateView.as_view(), name="engagement_update"),
    path("engagements/<int:pk>/disclose/", views.EngagementDiscloseView.as_view(), name="engagement_disclose"),
    path("engagements/<int:pk>/end/", views.EngagementEndView.as_view(), name="engagement_end"),
]
