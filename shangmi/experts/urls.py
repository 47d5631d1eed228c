from django.urls import path

from shangmi.experts import views

app_name = "experts"
urlpatterns = [
    path("", views.PoolView.as_view(), name="pool"),
    path("new/", views.RegisterView.as_view(), name="register"),
    path("<int:pk>/", views.ProfileView.as_view(), name="profile_detail"),
    path("<int:pk>/edit/", views.ProfileUpdateView.as_view(), name="profile_update"),
    path("<int:pk>/conflicts/", views.ConflictDeclareView.as_view(), name="conflict_declare"),
]
