"""The API base viewset: the same restrict() as the pages, and 404 for anything outside it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied

from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, OutOfScopeError, ensure_in_scope, restricted, scope_q

_ACTION_FOR_METHOD = {
    "GET": VIEW,
    "HEAD": VIEW,
    "OPTIONS": VIEW,
    "POST": ADD,
    "PUT": CHANGE,
    "PATCH": CHANGE,
    "DELETE": DELETE,
}


class PasswordChanged(permissions.BasePermission):
    """A new (or reset) account chooses its own password on the site before using the API."""

    message = "change your initial password first / 请先修改初始密码"

    def has_permission(self, request: Any, view: Any) -> bool:
        return not getattr(request.user, "must_change_password", False)


API_PERMISSIONS = [permissions.IsAuthenticated, PasswordChanged]


class ScopedModelViewSet(viewsets.ModelViewSet[Any]):
    model: ClassVar[type[models.Model]]
    permission_classes = API_PERMISSIONS

    def get_queryset(self) -> models.QuerySet[Any]:
        action = _ACTION_FOR_METHOD.get(self.request.method or "GET", VIEW)
        if action == ADD:
            action = VIEW
        return restricted(self.model, self.request.user, action)

    def perform_create(self, serializer: Any) -> None:
        if scope_q(self.model, self.request.user, ADD) is None:
            # No right to add anything at all: refuse before saving half a row.
            raise PermissionDenied(OUT_OF_SCOPE)
        with transaction.atomic():
            instance = serializer.save()
            try:
                ensure_in_scope(instance, self.request.user, ADD)
            except OutOfScopeError as exc:
                transaction.set_rollback(True)
                raise PermissionDenied(OUT_OF_SCOPE) from exc

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            instance = serializer.save()
            try:
                ensure_in_scope(instance, self.request.user, CHANGE)
            except OutOfScopeError as exc:
                transaction.set_rollback(True)
                raise NotFound from exc


OUT_OF_SCOPE = "outside your scope / 超出您的管辖范围"
