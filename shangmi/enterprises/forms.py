from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core.forms import BootstrapMixin, field_as, label_choices, model_choices
from shangmi.core.roles import Role
from shangmi.core.scoping import VIEW, is_platform_admin
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import normalise_uscc, uscc_errors
from shangmi.regions.models import Park, Region


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Region"))

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "uscc",
            "region",
            "park",
            "industry",
            "employee_count",
            "tags",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "is_liaison_point",
            "liaison_officer",
        ]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # What people paste ("9150 0105 …", full width) is longer than 18 characters until it is
        # normalised in clean_uscc; the length is checked there, with the reason.
        uscc = field_as(self, "uscc", forms.CharField)
        uscc.max_length = None
        uscc.validators = [v for v in uscc.validators if not isinstance(v, MaxLengthValidator)]
        uscc.widget.attrs.pop("maxlength", None)
        # Choices never reach outside the user's scope: a Jiangbei regulator cannot
        # even pick a Jiangjin district or park.
        home = user.home_region
        if is_platform_admin(user) or home is None:
            regions = Region.objects.filter(level=Region.Level.DISTRICT)
        else:
            regions = Region.objects.filter(path__subtree=home.path).exclude(level=Region.Level.PROVINCE)
        if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
            own = user.enterprise
            regions = Region.objects.filter(pk=own.region_id) if own is not None else Region.objects.none()
        region = model_choices(self, "region")
        region.queryset = regions.order_by("code")
        label_choices(region, lambda r: r.full_name)
        model_choices(self, "park").queryset = Park.objects.restrict(user, VIEW)
        model_choices(self, "liaison_officer").queryset = User.objects.restrict(user, VIEW).filter(role=Role.OFFICER)
        if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
            # An enterprise keeps its own contacts; its liaison status is the bureau's call.
            for name in ("uscc", "region", "park", "is_liaison_point", "liaison_officer"):
                self.fields[name].disabled = True
            # A disabled field is validated against its initial value: the officer the bureau
            # assigned must be a valid choice, although the enterprise cannot see other officers.
            officer_id = self.instance.liaison_officer_id
            officers = User.objects.filter(pk=officer_id) if officer_id else User.objects.none()
            model_choices(self, "liaison_officer").queryset = officers
            park_id = self.instance.park_id
            model_choices(self, "park").queryset = Park.objects.filter(pk=park_id) if park_id else Park.objects.none()

    def clean_uscc(self) -> str:
        code = normalise_uscc(self.cleaned_data["uscc"])
        errors = uscc_errors(code)
        if errors:
            raise forms.ValidationError(errors, code="invalid_uscc")
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        park, region = data.get("park"), data.get("region")
        if park and region and park.region_id != region.pk:
            self.add_error(
                "park",
                _("%(park)s is in %(region)s, not in the enterprise's region.")
                % {"park": park.name, "region": park.region.full_name},
            )
        return data
