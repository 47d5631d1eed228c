from django.urls import path

from shangmi.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.StandardListView.as_view(), name="list"),
    path("<int:pk>/", views.StandardDetailView.as_view(), name="detail"),
    path("<int:pk>/calculator/", views.StandardCalculatorView.as_view(), name="calculator"),
]
