from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin, choice_field, label_choices, model_choices
from shangmi.core.roles import ROLE_BINDING, Role
from shangmi.core.scoping import VIEW, is_platform_admin
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Park, Region


class SignInForm(BootstrapMixin, AuthenticationForm):
    pass


class UnlockRequestForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


def creatable_roles(creator: User) -> list[str]:
    """Who may create which accounts: a regulator inside their region, an enterprise admin their staff."""
    if is_platform_admin(creator):
        return [r.value for r in Role]
    if creator.role == Role.REGULATOR:
        return [
            Role.REGULATOR,
            Role.PARK_OPERATOR,
            Role.ENTERPRISE_ADMIN,
            Role.ENTERPRISE_STAFF,
            Role.OFFICER,
            Role.EXPERT,
            Role.JUDICIAL_LIAISON,
        ]
    if creator.role == Role.ENTERPRISE_ADMIN:
        return [Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN]
    return []


class AccountCreateForm(BootstrapMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The person must change it at first sign-in."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "organisation", "role", "region", "park", "enterprise"]

    def __init__(self, *args: Any, creator: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creator = creator
        roles = creatable_roles(creator)
        choice_field(self, "role").choices = [(v, label) for v, label in Role.choices if v in roles]
        home = creator.home_region
        region = model_choices(self, "region")
        if is_platform_admin(creator) or home is None:
            region.queryset = Region.objects.all()
        else:
            region.queryset = Region.objects.filter(path__subtree=home.path)
        label_choices(region, lambda r: f"{r.full_name} ({r.code})")
        model_choices(self, "park").queryset = Park.objects.restrict(creator, VIEW)
        model_choices(self, "enterprise").queryset = Enterprise.objects.restrict(creator, VIEW)
        if creator.role == Role.ENTERPRISE_ADMIN:
            for name in ("region", "park", "organisation"):
                del self.fields[name]
            own = creator.enterprise_id
            enterprises = model_choices(self, "enterprise")
            enterprises.queryset = Enterprise.objects.filter(pk=own) if own is not None else Enterprise.objects.none()
            self.fields["enterprise"].initial = creator.enterprise_id
            self.fields["role"].initial = Role.ENTERPRISE_STAFF

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        binding = ROLE_BINDING.get(data.get("role", ""))
        for attr in ("region", "park", "enterprise"):
            if attr != binding and attr in self.fields:
                data[attr] = None
            if attr not in self.fields:
                # A field the creator does not see (an enterprise admin's form has no region or
                # park) is not set from the form: the instance is cleared here, before the
                # model's own validation runs on it.
                setattr(self.instance, f"{attr}_id", None)
        password = data.get("password")
        if password:
            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
