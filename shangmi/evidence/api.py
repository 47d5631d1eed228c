"""REST API of evidence deposit: the enterprise's deposits (scoped) and the public log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from shangmi.core.api import API_PERMISSIONS
from shangmi.core.api_schema import DEPOSIT_REQUEST, ERROR, RECEIPT, RECEIPTS
from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import VIEW, OutOfScopeError
from shangmi.evidence.access import record_access
from shangmi.evidence.models import Deposit
from shangmi.evidence.receipts import receipt_for, receipt_handed_out
from shangmi.evidence.services import DepositError, DepositInput, deposit_forget_escrow, deposits_create

FORGOTTEN = {
    "type": "object",
    "required": ["id", "escrowed"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "escrowed": {"type": "boolean"},
        "receipt_exported_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
NOT_ADMIN = Message("evidence_forget_not_admin", gettext_lazy("Only the enterprise's admins may do this."))


class DepositSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Deposit
        fields = [
            "id",
            "title",
            "secret_point",
            "project",
            "version_note",
            "previous",
            "file_name",
            "file_size",
            "sha256",
            "sm3",
            "escrowed",
            "commitment",
            "accepted_at",
            "leaf_index",
            "sequenced_at",
            "source",
            "status",
        ]

    def get_status(self, obj: Deposit) -> str:
        return "sequenced" if obj.is_sequenced else "pending"


@extend_schema_view(
    create=extend_schema(
        summary="Deposit digests",
        request={"application/json": DEPOSIT_REQUEST},
        responses={201: OpenApiResponse(RECEIPTS, description="One receipt per deposit, pending until sequenced.")},
    ),
    forget_escrow=extend_schema(
        summary="Whether the platform holds a deposit's salt and digests; POST: forget them",
        request=None,
        responses={
            200: OpenApiResponse(FORGOTTEN, description="The platform no longer holds the salt or the digests."),
            403: OpenApiResponse(ERROR, description="Only the enterprise's admins may ask."),
            409: OpenApiResponse(
                ERROR, description="Nothing escrowed, not sequenced, or no complete receipt downloaded yet."
            ),
        },
    ),
    receipt=extend_schema(
        summary="A deposit's receipt",
        responses={200: OpenApiResponse(RECEIPT, description="The receipt, with its inclusion proof once sequenced.")},
    ),
)
class DepositViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deposits of the caller's enterprise. POST digests (never file content) to deposit.

    POST body: ``{"deposits": [{"title", "commitment", "sm3_commitment", "file_name", "file_size",
    "secret_point", "project", "version_note", "previous"}, ...]}`` or one such object, the
    commitments made with a salt derived from the enterprise's deposit key; or, to escrow the
    salt and digests with the platform, ``sha256``, ``sm3`` and ``salt`` instead of the
    commitments. The answer holds a receipt per deposit, pending until its batch is sequenced.
    """

    model = Deposit
    serializer_class = DepositSerializer
    permission_classes = API_PERMISSIONS
    filterset_fields = ["secret_point", "project"]

    def get_queryset(self) -> models.QuerySet[Deposit]:
        return Deposit.objects.restrict(self.request.user, VIEW).select_related("enterprise", "created_by")

    # Reads through the API are recorded as the pages' are: the enterprise's admins see on the
    # access log page who listed or opened its deposits with a token, not only in a browser.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        enterprise_id = getattr(request.user, "enterprise_id", None)
        if enterprise_id is not None and isinstance(response.data, dict) and response.data.get("results"):
            record_access(request.user, None, "list_api", enterprise_id=enterprise_id)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deposit = self.get_object()
        record_access(request.user, deposit, "view_api")
        return Response(self.get_serializer(deposit).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = request.data
        raw = body.get("deposits") if isinstance(body, dict) and "deposits" in body else [body]
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            return Response({"errors": ['expected a JSON object or {"deposits": [...]} / 请求格式错误']}, status=400)
        wrong_types = _type_errors(raw)
        if wrong_types:
            return Response({"errors": wrong_types}, status=status.HTTP_400_BAD_REQUEST)
        try:
            deposits = deposits_create(
                user=request.user, items=[DepositInput.from_mapping(item) for item in raw], source=_source(request)
            )
        except DepositError as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        fresh = Deposit.objects.select_related("enterprise", "created_by").filter(pk__in=[d.pk for d in deposits])
        by_id = {d.pk: d for d in fresh}
        return Response({"receipts": [receipt_for(by_id[d.pk]) for d in deposits]}, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def receipt(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        deposit = self.get_object()
        record_access(request.user, deposit, "receipt_api")
        receipt = receipt_for(deposit)
        receipt_handed_out(deposit, receipt)
        return Response(receipt)

    @action(detail=True, methods=["get", "post"], url_path="forget-escrow")
    def forget_escrow(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        """POST: the platform forgets the deposit's salt and digests (its enterprise's admins
        only), once a complete receipt has been downloaded: only the enterprise's receipt opens
        it then. GET: whether it holds them, and when a complete receipt last left."""
        deposit = self.get_object()
        if request.method == "GET":
            exported = deposit.receipt_exported_at
            return Response(
                {
                    "id": str(deposit.pk),
                    "escrowed": bool(deposit.escrowed and deposit.salt),
                    "receipt_exported_at": exported.isoformat() if exported else None,
                }
            )
        try:
            deposit_forget_escrow(user=request.user, deposit=deposit)
        except OutOfScopeError:
            return Response({"code": NOT_ADMIN.code, "detail": NOT_ADMIN.render()}, status=status.HTTP_403_FORBIDDEN)
        except AppError as exc:
            return Response({"code": exc.code, "detail": exc.text}, status=status.HTTP_409_CONFLICT)
        return Response({"id": str(deposit.pk), "escrowed": False})


_STRINGS = ("title", "sha256", "sm3", "file_name", "secret_point", "project", "version_note")
_NULLABLE_STRINGS = ("previous", "salt", "commitment", "sm3_commitment")


def _type_errors(items: list[dict[str, Any]]) -> list[str]:
    """Values of the wrong JSON type are refused, not turned into text or dropped: a client
    that sends a number for a title, or text for a size, has a bug worth hearing about."""
    errors = []
    for position, item in enumerate(items, start=1):
        for name, value in item.items():
            wrong = (
                (name in _STRINGS and not isinstance(value, str))
                or (name in _NULLABLE_STRINGS and value is not None and not isinstance(value, str))
                or (
                    name == "file_size"
                    and value is not None
                    and (isinstance(value, bool) or not isinstance(value, int))
                )
            )
            if wrong:
                errors.append(f"#{position} {_('%(field)s has the wrong type / %(field)s 类型错误') % {'field': name}}")
    return errors


def _source(request: Request) -> str:
    # A signed-in page (session, no token) is the browser; the bundled client speaks urllib.
    if request.auth is None:
        return Deposit.Source.BROWSER
    agent = request.headers.get("User-Agent", "")
    return Deposit.Source.CLIENT if agent.startswith("Python-urllib") else Deposit.Source.API
