from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shangmi.enterprises.models import Enterprise, Tag
from shangmi.enterprises.services import BUREAU_FIELDS
from shangmi.enterprises.tags import PROGRAM_TAGS
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


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField turns 0 into "0", which the
    schema (type: string) does not allow, so a number was accepted as a phone or an address."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number that arrives as a JSON number ("12" and true are not integers)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, (str, bool)):
            self.fail("invalid")
        return super().to_internal_value(data)


class UsccField(StrictCharField):
    """Normalised (full width, spaces, lower case) before any validator runs, so that the
    uniqueness check sees the code as it will be stored: a duplicate typed in lower case is a
    400 with the reason, not an IntegrityError."""

    def to_internal_value(self, data: Any) -> str:
        return normalise_uscc(super().to_internal_value(data))


# The tags are the program's fixed list (PROGRAM_TAGS): the schema names them, so that a client
# (and schemathesis) knows which codes are accepted instead of learning it from a 400.
TAG_CODES = [code for code, _zh, _en in PROGRAM_TAGS]


@extend_schema_field({"type": "string", "enum": TAG_CODES})
class TagCodeField(serializers.SlugRelatedField):
    pass


@extend_schema_field({"type": "string", "maxLength": 128, "pattern": "\\S"})
class NameField(StrictCharField):
    """A name with at least one character that is not a space (spaces alone are trimmed to nothing)."""


class EnterpriseSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
    }
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    tags = TagCodeField(slug_field="code", many=True, queryset=Tag.objects.all(), required=False)
    name = NameField(max_length=128)
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
                # As on the edit page: the code, the region, the park and the liaison status are the
                # bureau's (enterprises.services.BUREAU_FIELDS), read-only here as the schema's
                # other read-only fields: sent, they are ignored. (Moving its own region or park
                # would otherwise take the enterprise out of its regulator's or operator's sight.)
                for name in BUREAU_FIELDS:
                    self.fields[name].read_only = True

    def to_internal_value(self, data: Any) -> Any:
        # DRF reads any iterable as the list of tags, {} as none: the schema says an array.
        if isinstance(data, dict) and "tags" in data and not isinstance(data["tags"], list):
            raise serializers.ValidationError({"tags": [_("Expected a list of tag codes.")]})
        return super().to_internal_value(data)

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
