from django.urls import path

from shangmi.creation import views
from shangmi.creation.review import urls as urls_queue
from shangmi.creation.titles import urls as urls_titles

app_name = "creation"
urlpatterns = [
    path("", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/apply/", views.ApplicationStartView.as_view(), name="application_start"),
    path("rounds/<int:pk>/close/", views.RoundCloseView.as_view(), name="round_close"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/assess/", views.AssessmentView.as_view(), name="application_assess"),
    path("applications/<int:pk>/assess/item/", views.EntrySaveView.as_view(), name="entry_save"),
    path("applications/<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("applications/<int:pk>/submit/", views.SubmitView.as_view(), name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/review/", views.ReviewView.as_view(), name="application_review"),
    path("applications/<int:pk>/review/inspection/", views.InspectionView.as_view(), name="inspection_add"),
    path("applications/<int:pk>/experts/", views.ExpertAssignView.as_view(), name="expert_assign"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/work/", views.AssignmentWorkView.as_view(), name="assignment_work"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    path("evidence/<int:pk>/items/", views.EvidenceLinkView.as_view(), name="evidence_link"),
    *urls_queue.urlpatterns,
    *urls_titles.urlpatterns,
]
