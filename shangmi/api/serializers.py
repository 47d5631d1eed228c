from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers

from shangmi.enterprises.models import Enterprise, Tag
from shangmi.enterprises.uscc import normalise_uscc, uscc_errors
from shangmi.regions.models import Park, Region


def _narrow_choices(serializer: serializers.Serializer[Any], name: str, rows: QuerySet[Any]) -> None:
    """The foreign-key field ``name`` of ``serializer`` accepts only ``rows`` (the reader's scope)."""
    field = serializer.fields[name]
    if not isinstance(field, serializers.RelatedField):
        raise TypeError(f"{name} is not a related field")
    # drf-stubs declare ``queryset`` as possibly a Manager, a descriptor, so mypy checks the
    # assignment as a call of Manager.__get__ on the field; a QuerySet is what DRF expects here.
    field.queryset = rows  # type: ignore[arg-type]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "full_name", "level", "parent"]


class ParkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Park
        fields = ["id", "name", "region", "kind", "address"]


BUREAU_FIELDS = ("uscc", "region", "is_liaison_point", "liaison_officer")


class UsccField(serializers.CharField):
    """Normalised (full width, spaces, lower case) before any validator runs, so that the
    uniqueness check sees the code as it will be stored: a duplicate typed in lower case is a
    400 with the reason, not an IntegrityError."""

    def to_internal_value(self, data: Any) -> str:
        return normalise_uscc(super().to_internal_value(data))


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    tags = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Tag.objects.all(), required=False)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "region",
            "region_name",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name == "uscc":
            # Pasted codes may be longer until normalised; uscc_errors checks the length.
            field_class = UsccField
            kwargs.pop("max_length", None)
        return field_class, kwargs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from shangmi.accounts.models import User
            from shangmi.core.roles import Role

            _narrow_choices(self, "park", Park.objects.restrict(user))
            _narrow_choices(self, "liaison_officer", User.objects.restrict(user).filter(role=Role.OFFICER))
            if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF):
                # As on the edit page: the code, the region and the liaison status are the bureau's.
                # (Moving its own region would otherwise take the enterprise out of its regulator's sight.)
                for name in BUREAU_FIELDS:
                    self.fields[name].read_only = True

    def validate_uscc(self, value: str) -> str:
        code = normalise_uscc(value)
        errors = uscc_errors(code)
        if errors:
            raise serializers.ValidationError(errors)
        return code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        park = attrs.get("park", getattr(self.instance, "park", None))
        region = attrs.get("region", getattr(self.instance, "region", None))
        if park is not None and region is not None and park.region_id != region.pk:
            raise serializers.ValidationError({"park": _("The park is not in the enterprise's region.")})
        return attrs
