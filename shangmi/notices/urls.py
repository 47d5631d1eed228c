from django.urls import path

from shangmi.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="open"),
]
