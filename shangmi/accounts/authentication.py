"""Token authentication for the API, with tokens that expire (settings.SHANGMI_API_TOKEN_DAYS).

Kept apart from the token endpoint (tokens.py): DRF imports this while it loads its settings,
before its views can be imported.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

TOKEN_EXPIRED = _("The token has expired; ask for a new one.")


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.SHANGMI_API_TOKEN_DAYS)


def token_expired(token: Token) -> bool:
    return token_expires_at(token) <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(str(TOKEN_EXPIRED))
        return user, token
