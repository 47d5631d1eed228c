"""API tokens that expire, are revoked by a password change, and that their owner can revoke.

One token per person (DRF's model): ``SHANGMI_API_TOKEN_DAYS`` after it was issued it no longer
signs anyone in, and asking for a token then issues a fresh one. The lock that guards the sign-in
form guards the token endpoint too: a locked account or address gets 429, not a token.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shangmi.accounts.authentication import token_expired, token_expires_at
from shangmi.accounts.models import User
from shangmi.core.api_schema import ERROR

BAD_CREDENTIALS = _("Unable to sign in with the username and password given.")
LOCKED = _("Too many failed sign-in attempts: this account or address is locked for a while.")


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The person's token; an expired one is replaced by a new key."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_revoke(*, user: User) -> int:
    """Revoke the person's own token(s); returns how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class _Credentials(serializers.Serializer):
    username = serializers.CharField(min_length=1, max_length=150)
    password = serializers.CharField(
        min_length=1, max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )


_ERROR = inline_serializer("TokenError", {"detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a username and password for the person's API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = _Credentials

    @extend_schema(
        request=_Credentials,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}),
            400: OpenApiResponse(ERROR, description="A field is missing or too long."),
            401: OpenApiResponse(_ERROR, description="Wrong username or password (or an account not yet approved)."),
            429: OpenApiResponse(_ERROR, description="Locked after too many failed attempts."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = _Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        # Axes marks the Django request, not DRF's wrapper, so that one is passed in.
        django_request = request._request
        user = authenticate(django_request, **credentials.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": str(LOCKED)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            # 401, not 400: the request was well formed, the credentials are wrong.
            return Response({"detail": str(BAD_CREDENTIALS)}, status=status.HTTP_401_UNAUTHORIZED)
        token = token_issue(user=user)
        return Response({"token": token.key, "expires": token_expires_at(token)})
