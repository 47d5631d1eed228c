"""Reads of the creation workflow that take a user or an application."""

from __future__ import annotations

from django.db.models import QuerySet

from shangmi.accounts.models import User
from shangmi.core.roles import Role
from shangmi.creation.models import Application


def applicant_users(application: Application) -> QuerySet[User]:
    """The people who speak for the applicant: its enterprise, park or district bureau."""
    active = User.objects.filter(is_active=True)
    if application.applicant_kind == Application.ApplicantKind.ENTERPRISE:
        return active.filter(enterprise_id=application.enterprise_id)
    if application.applicant_kind == Application.ApplicantKind.PARK:
        return active.filter(park_id=application.park_id, role=Role.PARK_OPERATOR)
    return active.filter(region_id=application.region_id, role=Role.REGULATOR)


def is_applicant_user(user: User, application: Application) -> bool:
    kind = application.applicant_kind
    if kind == Application.ApplicantKind.ENTERPRISE:
        return (
            user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
            and user.enterprise_id == application.enterprise_id
        )
    if kind == Application.ApplicantKind.PARK:
        return user.role == Role.PARK_OPERATOR and user.park_id == application.park_id
    return user.role == Role.REGULATOR and user.region_id == application.region_id
