from __future__ import annotations

from rest_framework import mixins, viewsets

from shangmi.api.base import API_PERMISSIONS, ScopedModelViewSet
from shangmi.api.serializers import EnterpriseSerializer, ParkSerializer, RegionSerializer
from shangmi.core.scoping import VIEW
from shangmi.enterprises.filters import EnterpriseFilter
from shangmi.enterprises.models import Enterprise
from shangmi.regions.models import Park, Region


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The GB/T 2260 divisions; filter with ?parent=CODE or ?level=province|city|district."""

    serializer_class = RegionSerializer
    permission_classes = API_PERMISSIONS
    filterset_fields = ["parent", "level"]
    model = Region

    def get_queryset(self):
        return Region.objects.restrict(self.request.user, VIEW)


class ParkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ParkSerializer
    permission_classes = API_PERMISSIONS
    model = Park
    filterset_fields = ["region"]

    def get_queryset(self):
        return Park.objects.restrict(self.request.user, VIEW)


class EnterpriseViewSet(ScopedModelViewSet):
    """Enterprises in the caller's scope. The same filters as the list page (q, region, park, tag, ...)."""

    model = Enterprise
    serializer_class = EnterpriseSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("region").prefetch_related("tags").order_by("pk")

    def filter_queryset(self, queryset):
        filterset = EnterpriseFilter(self.request.query_params or None, queryset=queryset, user=self.request.user)
        return filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
