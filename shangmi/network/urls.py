from django.urls import path

from shangmi.network import views

app_name = "network"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station_update"),
    path("assign/", views.AssignView.as_view(), name="assign"),
]
