from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

from shangmi.api.serializers import TAG_CODES, EnterpriseSerializer, ParkSerializer, RegionSerializer
from shangmi.core.api import API_PERMISSIONS, ScopedModelViewSet
from shangmi.core.errors import AppError
from shangmi.core.scoping import VIEW
from shangmi.enterprises.filters import SORTS, EnterpriseFilter
from shangmi.enterprises.models import Enterprise, Industry
from shangmi.enterprises.services import announce_contact_change, enterprise_check_fields, stored_contact_email
from shangmi.regions.models import Park, Region


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The GB/T 2260 divisions; filter with ?parent=CODE or ?level=province|city|district."""

    serializer_class = RegionSerializer
    permission_classes = API_PERMISSIONS
    filterset_fields = ["parent", "level"]
    model = Region
    # A region's key is its six-digit code (the URL stays /regions/500105/).
    lookup_field = "code"

    def get_queryset(self):
        return Region.objects.restrict(self.request.user, VIEW)

    def filter_queryset(self, queryset):
        # An empty level is not one of the levels the schema lists; the filter would ignore it.
        levels = self.request.query_params.getlist("level")
        if any(value not in Region.Level.values for value in levels):
            raise ValidationError({"level": [f"one of {', '.join(Region.Level.values)}"]})
        return super().filter_queryset(queryset)


class ParkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ParkSerializer
    permission_classes = API_PERMISSIONS
    model = Park
    filterset_fields = ["region"]

    def get_queryset(self):
        return Park.objects.restrict(self.request.user, VIEW)


def _query(name: str, description: str, kind: OpenApiTypes = OpenApiTypes.STR, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description, **extra)


# The list's filters are EnterpriseFilter's (the page's own), applied in filter_queryset
# rather than by a filter backend, so the schema names them here.
ENTERPRISE_FILTERS = [
    _query("q", "Name (part of it) or the start of the unified social credit code, in any case."),
    _query(
        "region",
        "A region and everything below it: a six-digit GB/T 2260 code, a full name (重庆市江北区) or a "
        "name (江北区, looked for inside the caller's own region first).",
    ),
    _query("park", "Park id.", OpenApiTypes.INT),
    # Empty: any (as on the list page).
    _query("tag", "Tag code (e.g. high_tech, specialised_sme); empty: any.", enum=["", *TAG_CODES]),
    _query("industry", "Industry code; empty: any.", enum=["", *Industry.values]),
    _query("liaison_point", "true: liaison points only; false: the others.", OpenApiTypes.BOOL),
    _query("has_officer", "true: with a liaison officer; false: without.", OpenApiTypes.BOOL),
    _query("sort", "Sort key; a leading '-' reverses it.", enum=list(SORTS)),
]


@extend_schema_view(list=extend_schema(parameters=ENTERPRISE_FILTERS))
class EnterpriseViewSet(ScopedModelViewSet):
    """Enterprises in the caller's scope. The same filters as the list page (q, region, park, tag, ...)."""

    model = Enterprise
    serializer_class = EnterpriseSerializer
    # JSON only: a form or multipart body cannot say null (a park or a head count left empty),
    # which the schema allows; "null" arrived as a string and was refused.
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("region").prefetch_related("tags").order_by("pk")

    def perform_update(self, serializer: Any) -> None:
        try:
            enterprise_check_fields(
                user=self.request.user, enterprise=serializer.instance, data=serializer.validated_data
            )
        except AppError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.text]}) from exc
        old_contact = stored_contact_email(serializer.instance.pk)
        super().perform_update(serializer)
        enterprise = serializer.instance
        announce_contact_change(
            enterprise_id=enterprise.pk,
            name=enterprise.name,
            old=old_contact,
            new=enterprise.contact_email,
            actor=self.request.user,
        )

    def filter_queryset(self, queryset):
        params = self.request.query_params
        for name in ("liaison_point", "has_officer"):
            # The schema says boolean: "true" or "false"; the page's filter would read anything
            # else as "either", which would answer more rows than were asked for.
            if name in params and any(value not in ("true", "false") for value in params.getlist(name)):
                raise ValidationError({name: ["true or false / 须为 true 或 false"]})
        if "park" in params and not all(value.isascii() and value.isdigit() for value in params.getlist("park")):
            # The schema says integer; an empty park (a form's "any") would answer every park.
            raise ValidationError({"park": ["a park's id / 须为园区编号"]})
        filterset = EnterpriseFilter(params or None, queryset=queryset, user=self.request.user)
        if not filterset.is_bound:
            return queryset
        if not filterset.is_valid():
            # A filter that cannot be read is refused, not ignored: ignoring it would answer with
            # more rows than were asked for, as if they matched.
            raise ValidationError(filterset.errors)
        return filterset.qs
