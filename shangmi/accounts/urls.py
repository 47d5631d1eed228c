from django.urls import path

from shangmi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("unlock/", views.UnlockRequestView.as_view(), name="unlock_request"),
    path("unlock/link/", views.UnlockLinkView.as_view(), name="unlock_link"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user_unlock"),
    path("users/<int:pk>/decide/", views.AccountDecideView.as_view(), name="user_decide"),
    path("approvals/", views.ApprovalListView.as_view(), name="approvals"),
    path("events/", views.AccountEventListView.as_view(), name="events"),
    path("tokens/", views.TokenListView.as_view(), name="tokens"),
]
