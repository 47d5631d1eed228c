"""Titles: the public announcement and verification pages, the plaque, revocation, the list."""

from django.urls import path

from shangmi.creation.titles import views as views_titles

urlpatterns: list = [
    path("announcements/", views_titles.AnnouncementListView.as_view(), name="announcements"),
    path("titles/", views_titles.TitleListView.as_view(), name="title_list"),
    path("titles/<int:pk>/", views_titles.TitlePublicView.as_view(), name="title_public"),
    path("titles/<int:pk>/certificate.pdf", views_titles.TitleCertificateView.as_view(), name="title_certificate"),
    path("titles/<int:pk>/revoke/", views_titles.TitleRevokeView.as_view(), name="title_revoke"),
]
