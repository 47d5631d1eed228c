from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from shangmi.accounts.tokens import TokenView
from shangmi.api import views
from shangmi.evidence.api import DepositViewSet

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("parks", views.ParkViewSet, basename="park")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("evidence/deposits", DepositViewSet, basename="deposit")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
