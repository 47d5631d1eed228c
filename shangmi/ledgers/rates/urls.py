"""The rates dashboard and rate targets (included into the ``ledgers`` namespace)."""

from django.urls import path

from shangmi.ledgers.rates import views

urlpatterns: list = [
    path("rates/", views.RatesView.as_view(), name="rates"),
    path("rates/targets/new/", views.RateTargetCreateView.as_view(), name="rate_target_create"),
    path("rates/targets/<int:pk>/edit/", views.RateTargetUpdateView.as_view(), name="rate_target_update"),
    path("rates/targets/<int:pk>/delete/", views.RateTargetDeleteView.as_view(), name="rate_target_delete"),
]
