from django.urls import path

from shangmi.home import health, views

app_name = "home"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("health/", health.health, name="health"),
]
