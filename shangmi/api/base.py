"""The API base viewset: the same restrict() as the pages, and 404 for anything outside it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, PermissionDenied

from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, OutOfScopeError, ensure_in_scope

_ACTION_FOR_METHOD = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedModelViewSet(viewsets.ModelViewSet):
    model: ClassVar[type[models.Model]]

    def get_queryset(self) -> models.QuerySet[Any]:
        action = _ACTION_FOR_METHOD.get(self.request.method or "GET", VIEW)
        if action == ADD:
            action = VIEW
        return self.model.objects.restrict(self.request.user, action)  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
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
