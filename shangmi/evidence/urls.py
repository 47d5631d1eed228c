from django.urls import path

from shangmi.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.DepositListView.as_view(), name="list"),
    path("new/", views.DepositCreateView.as_view(), name="create"),
    path("export/", views.DepositExportView.as_view(), name="export"),
    path("access/", views.DepositAccessListView.as_view(), name="access_log"),
    path("<uuid:pk>/", views.DepositDetailView.as_view(), name="detail"),
    path("<uuid:pk>/receipt.json", views.DepositReceiptView.as_view(), name="receipt"),
    path("<uuid:pk>/certificate.pdf", views.DepositCertificateView.as_view(), name="certificate"),
    # Public: the log itself, for mirrors and auditors, and the verification page.
    path("log/key/", views.LogKeyView.as_view(), name="log_key"),
    path("log/keys/", views.LogKeysView.as_view(), name="log_keys"),
    path("log/checkpoint/", views.LogCheckpointView.as_view(), name="log_checkpoint"),
    path("log/checkpoints/", views.LogCheckpointListView.as_view(), name="log_checkpoints"),
    path("log/entries/", views.LogEntriesView.as_view(), name="log_entries"),
    path("log/proof/inclusion/", views.LogInclusionProofView.as_view(), name="log_inclusion"),
    path("log/proof/consistency/", views.LogConsistencyProofView.as_view(), name="log_consistency"),
    path("verify/", views.VerifyPageView.as_view(), name="verify"),
    path("verify/check/", views.VerifyCheckView.as_view(), name="verify_check"),
]
