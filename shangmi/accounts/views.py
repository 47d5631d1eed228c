from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView, View
from rest_framework.authtoken.models import Token

from shangmi.accounts.authentication import token_expired, token_expires_at
from shangmi.accounts.forms import AccountCreateForm, SignInForm, UnlockRequestForm, creatable_roles
from shangmi.accounts.lockout import account_locked_out
from shangmi.accounts.models import AccountEvent, User
from shangmi.accounts.requests import signed_in_user
from shangmi.accounts.services import account_create, account_decide, account_unlock, approvable_accounts
from shangmi.accounts.tokens import LOCKED, token_revoke
from shangmi.accounts.unlock import unlock_by_link, unlock_request
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView
from shangmi.core.scoping import ADD, CHANGE, in_scope
from shangmi.core.views import (
    PasswordChangeRequiredMixin,
    ScopedObjectViewMixin,
    ScopedViewMixin,
    refusals_as_messages,
)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User) and user.must_change_password:
            messages.warning(self.request, _("Please choose a new password before you go on."))
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return response


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home:home")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # save(), not update(): the account's history must not lag behind the row.
        user = signed_in_user(self.request)
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown by django-axes after too many failed sign-ins (status 429, both languages)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED)}, status=429)
    return render(request, "accounts/locked.html", status=429)


class UserListView(ScopedListView):
    model = User
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().select_related("region", "park", "enterprise")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "can_create": bool(creatable_roles(signed_in_user(self.request)))}


class UserDetailView(ScopedViewMixin, DetailView):
    model = User
    template_name = "accounts/user_detail.html"
    context_object_name = "account"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        account = self.object
        return {
            **super().get_context_data(**kwargs),
            "locked": account_locked_out(account.username),
            "can_change": in_scope(account, self.request.user, CHANGE),
        }


class UserUnlockView(ScopedObjectViewMixin, View):
    """An administrator of the account lifts its sign-in lock at once (POST only)."""

    model = User
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self.scoped_row(pk)
        with refusals_as_messages(request) as outcome:
            account_unlock(user=signed_in_user(request), account=account)
        if outcome.ok:
            messages.success(request, _("The account %(name)s is unlocked.") % {"name": account.username})
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[account.pk]))


class UnlockRequestView(FormView):
    """Anyone asks for an unlock link for a username; the answer never says whether it exists."""

    template_name = "accounts/unlock_request.html"
    form_class = UnlockRequestForm

    def form_valid(self, form: UnlockRequestForm) -> HttpResponse:
        unlock_request(
            username=form.cleaned_data["username"],
            link_for=lambda token: self.request.build_absolute_uri(f"{reverse('accounts:unlock_link')}?t={token}"),
        )
        return render(self.request, self.template_name, {"form": UnlockRequestForm(), "sent": True})


class UnlockLinkView(View):
    """The emailed link: GET shows a button (a mail scanner that opens links unlocks nothing),
    POST lifts the lock, or says the link is not valid (expired, used, or the lock is over)."""

    template_name = "accounts/unlock_link.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"token": request.GET.get("t", "")})

    def post(self, request: HttpRequest) -> HttpResponse:
        with refusals_as_messages(request) as outcome:
            user = unlock_by_link(token=request.POST.get("t", ""))
        if not outcome.ok:
            return render(request, self.template_name, {"token": ""}, status=400)
        messages.success(request, _("The account %(name)s is unlocked.") % {"name": user.username})
        return HttpResponseRedirect(reverse("accounts:login"))


class TokenListView(PasswordChangeRequiredMixin, TemplateView):
    """The person's own API token: when it was issued, when it expires; revoke it here."""

    template_name = "accounts/tokens.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tokens = [
            {"prefix": t.key[:8], "created": t.created, "expires": token_expires_at(t), "expired": token_expired(t)}
            for t in Token.objects.filter(user=signed_in_user(self.request))
        ]
        return {**super().get_context_data(**kwargs), "tokens": tokens, "days": settings.SHANGMI_API_TOKEN_DAYS}

    def post(self, request: HttpRequest) -> HttpResponse:
        if token_revoke(user=signed_in_user(request)):
            messages.success(request, _("Your API token is revoked."))
        return HttpResponseRedirect(reverse("accounts:tokens"))


class UserCreateView(ScopedViewMixin, FormView):
    model = User
    action = ADD
    template_name = "accounts/user_form.html"
    form_class = AccountCreateForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and not creatable_roles(user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "creator": self.request.user}

    def form_valid(self, form: AccountCreateForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        user = save_through(
            form,
            lambda: account_create(creator=signed_in_user(self.request), data=data),
            out_of_scope=_("You can only create accounts inside your own region or enterprise."),
            out_of_scope_field=None,
        )
        if user is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Account %(name)s created.") % {"name": user.username})
        return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))


class ApprovalListView(ScopedListView):
    """Accounts that others made for the admin's enterprise, waiting for the admin's decision."""

    model = User
    template_name = "accounts/approvals.html"
    context_object_name = "accounts"

    def get_queryset(self) -> QuerySet[User]:
        return approvable_accounts(signed_in_user(self.request)).order_by("date_joined")


class AccountDecideView(ScopedObjectViewMixin, View):
    """Approve or refuse one waiting account (POST, decision=approve|refuse); anyone but an
    admin of its enterprise gets 404, as for a row they cannot see."""

    model = User
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self.scoped_row(pk)
        user = signed_in_user(request)
        if not approvable_accounts(user).filter(pk=account.pk).exists():
            raise Http404
        approve = request.POST.get("decision") == "approve"
        account_decide(user=user, account=account, approve=approve)
        if approve:
            messages.success(request, _("The account %(name)s is approved.") % {"name": account.username})
        else:
            messages.success(request, _("The account %(name)s is refused and removed.") % {"name": account.username})
        return HttpResponseRedirect(reverse("accounts:approvals"))


class AccountEventListView(ScopedListView):
    """What was done to the enterprise's accounts: created, approved, roles, passwords."""

    model = AccountEvent
    template_name = "accounts/events.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[AccountEvent]:
        return super().get_queryset().select_related("actor", "account")
