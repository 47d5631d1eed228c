from django.urls import path

from shangmi.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionListView.as_view(), name="list"),
    path("picker/", views.RegionPickerView.as_view(), name="picker"),
    path("parks/", views.ParkListView.as_view(), name="park_list"),
    path("parks/<int:pk>/", views.ParkDetailView.as_view(), name="park_detail"),
    path("<str:pk>/", views.RegionDetailView.as_view(), name="detail"),
]
