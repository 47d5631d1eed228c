"""The reviewer's queue and the round's spreadsheets (included into the "creation" namespace)."""

from django.urls import path

from shangmi.creation.review import views as views_queue

urlpatterns: list = [
    path("queue/", views_queue.QueueView.as_view(), name="queue"),
    path("rounds/<int:pk>/export/", views_queue.RoundExportView.as_view(), name="round_export"),
    path("rounds/<int:pk>/candidate-list/", views_queue.CandidateListView.as_view(), name="candidate_list"),
]
