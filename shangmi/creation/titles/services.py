"""Titles (称号): issuing one when an application is approved, revoking it, and letting it run out.

Certificate numbers
-------------------
``{awarding region code}-{round year}-{level letter}-{type letter}-{sequence}``, e.g.
``500000-2026-M-U-003``: the third municipal demonstration-unit title that 重庆市 (500000)
awarded in its 2026 rounds.

* The region code, not a name or an abbreviation such as 渝, because two districts may both award
  county titles in the same year and only the code tells them apart (江北区 exists in 重庆 and 宁波).
* The year is the round's year, not the calendar day of the award: a 2026 round decided in
  January 2027 still awards 2026 titles, which is how they are announced.
* Level letters: N national, P provincial, M municipal, C county; type letters: Z zone (示范区),
  B base (示范基地), U unit (示范单位), S station (示范站(点)).
* The sequence counts per (region, year, level, type), from 001 (more digits past 999), and never
  reuses a number: a revoked title keeps its number.

Numbers are unique under concurrency twice over: the round row is locked while the next number is
taken (two approvals in one round queue up), and the unique constraint on ``Title.number`` catches
two rounds with the same key (or a database without row locks, such as SQLite); the loser retries
with the next number.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import CHANGE, VIEW, is_platform_admin
from shangmi.creation.models import Application, ApplicationEvent, DemoType, Level, Round, Title
from shangmi.creation.selectors import applicant_users
from shangmi.creation.titles.plaque import title_text
from shangmi.notices.services import notify
from shangmi.regions.models import Region
from shangmi.regions.resolve import normalise

LEVEL_LETTERS: Mapping[str, str] = {
    Level.NATIONAL: "N",
    Level.PROVINCIAL: "P",
    Level.MUNICIPAL: "M",
    Level.COUNTY: "C",
}
TYPE_LETTERS: Mapping[str, str] = {
    DemoType.ZONE: "Z",
    DemoType.BASE: "B",
    DemoType.UNIT: "U",
    DemoType.STATION: "S",
}
NUMBER_ATTEMPTS = 5
# A title this close to its end is opened for re-evaluation: the holder applies again in a new
# round, and three months is about what a round takes from call to decision.
RE_EVALUATION_DAYS = 90
# Scheduled jobs act as this account: ApplicationEvent needs an actor, and naming a real person
# for something nobody did would falsify the record. It cannot sign in (inactive, no password).

NOT_APPROVED = Message("title.not_approved", gettext_lazy("Only an approved application receives a title."))
ALREADY_ISSUED = Message("title.already_issued", gettext_lazy("This application already has a title."))
REASON_REQUIRED = Message("title.reason_required", gettext_lazy("Give the reason for revoking the title."))
ALREADY_REVOKED = Message("title.already_revoked", gettext_lazy("This title is already revoked."))
NOT_ALLOWED = Message(
    "title.not_allowed", gettext_lazy("Only the regulators of the awarding region can revoke this title.")
)


# --- numbers and dates ------------------------------------------------------------------------


def number_prefix(region_code: str, year: int, level: str, demo_type: str) -> str:
    return f"{region_code}-{year}-{LEVEL_LETTERS[level]}-{TYPE_LETTERS[demo_type]}-"


def next_sequence(prefix: str) -> int:
    """One past the highest sequence already used under prefix (numbers of another shape are ignored)."""
    used = [
        int(suffix)
        for number in Title.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        if (suffix := number[len(prefix) :]).isdigit()
    ]
    return max(used, default=0) + 1


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:03d}"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day years later; 29 February becomes 1 March in a common year (the anniversary
    of a leap day is the day after 28 February), so the day before it is 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def validity_end(awarded_on: datetime.date, years: int) -> datetime.date:
    """The last day of validity: ``years`` full years, the award day counting as the first."""
    return add_years(awarded_on, years) - datetime.timedelta(days=1)


def effective_status(title: Title, today: datetime.date | None = None) -> str:
    """The status as of today, even if the nightly ``expire_titles`` has not run yet: a public
    verification page must never call a title valid the day after it ended."""
    today = today or program_today()
    if title.status in (Title.Status.ACTIVE, Title.Status.RE_EVALUATION) and title.valid_until < today:
        return Title.Status.EXPIRED
    return title.status


# --- who is told ------------------------------------------------------------------------------


def awarding_regulators(title: Title) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.REGULATOR, region_id=title.awarding_region_id)


def _public_url(title: Title) -> str:
    return reverse("creation:title_public", args=[title.pk])


def _event(title: Title, kind: str, actor: User | None, message: str = "") -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application_id=title.application_id,
        kind=kind,
        actor=actor,
        message=message,
        data={"title": title.pk, "number": title.number, "status": title.status},
    )


# --- issuing ----------------------------------------------------------------------------------


@transaction.atomic
def issue_title(application: Application, actor: User, awarded_on: datetime.date | None = None) -> Title:
    """Issue the title of an approved application (the review's awarding stage calls this).

    The holder is the applicant by name, as announced; the title is valid from ``awarded_on``
    (today by default) for the round's ``validity_years``. Appends a ``title_issued`` event and
    tells the applicant's people. Raises ``AppError`` if the application is not approved or
    already has a title.
    """
    if application.status != Application.Status.APPROVED:
        raise AppError(NOT_APPROVED)
    awarded_on = awarded_on or program_today()
    round_ = application.round
    prefix = number_prefix(round_.region_id, round_.year, round_.level, round_.demo_type)
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            # A savepoint per attempt: a lost race on the number rolls back only this attempt,
            # not the caller's transaction (the review's decision).
            with transaction.atomic():
                Round.objects.select_for_update().get(pk=round_.pk)
                if Title.objects.filter(application=application).exists():
                    raise AppError(ALREADY_ISSUED)
                title = Title.objects.create(
                    application=application,
                    number=format_number(prefix, next_sequence(prefix)),
                    holder_name=application.applicant_name,
                    demo_type=round_.demo_type,
                    level=round_.level,
                    awarding_region_id=round_.region_id,
                    holder_region_id=application.region_id,
                    year=round_.year,
                    awarded_on=awarded_on,
                    valid_until=validity_end(awarded_on, round_.validity_years),
                )
                break
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    _event(title, ApplicationEvent.Kind.TITLE_ISSUED, actor, title.number)
    notify(
        applicant_users(application),
        _("Title awarded: %(title)s") % {"title": title_label(title)},
        _("Certificate number %(number)s, valid until %(date)s.")
        % {"number": title.number, "date": title.valid_until.isoformat()},
        url=_public_url(title),
    )
    return title


def title_label(title: Title) -> str:
    return title_text(title.level, title.demo_type, title.awarding_region)


# --- revoking ---------------------------------------------------------------------------------


@transaction.atomic
def revoke_title(title: Title, actor: User, reason: str) -> Title:
    """Revoke a title, for the record and for the public page: only the regulators of the
    awarding region (CHANGE on the title) may, and only with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise AppError(REASON_REQUIRED, field="reason")
    # of=self: lock the title, not the region rows the scope filter joins.
    locked = Title.objects.restrict(actor, CHANGE).select_for_update(of=("self",)).filter(pk=title.pk).first()
    if locked is None:
        raise AppError(NOT_ALLOWED)
    if locked.status == Title.Status.REVOKED:
        raise AppError(ALREADY_REVOKED)
    locked.status = Title.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revoked_reason"])
    _event(locked, ApplicationEvent.Kind.TITLE_REVOKED, actor, reason)
    notify(
        applicant_users(locked.application),
        _("Title revoked: %(title)s") % {"title": title_label(locked)},
        reason,
        url=_public_url(locked),
    )
    return locked


# --- expiry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryResult:
    expired: list[Title]
    re_evaluation: list[Title]


@transaction.atomic
def expire_titles(today: datetime.date | None = None, *, days: int = RE_EVALUATION_DAYS) -> ExpiryResult:
    """Titles past their last day expire; titles within ``days`` of it go under re-evaluation.

    Idempotent: each title moves forward once (active -> re-evaluation -> expired), so a second
    run the same day changes and tells nothing. The last day itself is still valid.
    """
    today = today or program_today()
    expired = list(
        Title.objects.select_for_update(of=("self",))
        .filter(status__in=(Title.Status.ACTIVE, Title.Status.RE_EVALUATION), valid_until__lt=today)
        .select_related("application", "awarding_region__parent")
    )
    for title in expired:
        title.status = Title.Status.EXPIRED
        # save(), not update(): the history keeps the day each title changed.
        title.save(update_fields=["status"])
        _tell_holder_and_awarders(
            title,
            _("Title expired: %(title)s") % {"title": title_label(title)},
            _("The title ended on %(date)s.") % {"date": title.valid_until.isoformat()},
        )
    due = list(
        Title.objects.select_for_update(of=("self",))
        .filter(status=Title.Status.ACTIVE, valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days))
        .select_related("application", "awarding_region__parent")
    )
    for title in due:
        title.status = Title.Status.RE_EVALUATION
        title.save(update_fields=["status"])
        message = _("The title ends on %(date)s. To keep it, apply again in a new creation round of %(region)s.") % {
            "date": title.valid_until.isoformat(),
            "region": title.awarding_region.full_name,
        }
        _event(title, ApplicationEvent.Kind.RE_EVALUATION, None, message)
        _tell_holder_and_awarders(
            title, _("Re-evaluation: %(title)s") % {"title": title_label(title)}, message, url=_re_evaluation_url()
        )
    return ExpiryResult(expired=expired, re_evaluation=due)


def _re_evaluation_url() -> str:
    # The management list of titles under re-evaluation, which says where to apply again.
    return reverse("creation:title_list") + "?status=" + Title.Status.RE_EVALUATION


def _tell_holder_and_awarders(title: Title, subject: str, body: str, url: str = "") -> None:
    recipients = [*applicant_users(title.application), *awarding_regulators(title)]
    notify(recipients, subject, body, url=url or _public_url(title))


# --- reading ----------------------------------------------------------------------------------


def regions_matching(text: str) -> list[Region]:
    """Regions named by a code (500105) or a name (江北区, 重庆市江北区); a short name may match
    several (江北区 is in 重庆 and 宁波), and then all of them count."""
    key = normalise(text or "")
    if not key:
        return []
    if key.isdigit():
        return list(Region.objects.filter(code=key[:6]))
    return list(Region.objects.filter(Q(name=key) | Q(full_name=key)))


def announcement_rows() -> QuerySet[Title]:
    """Every title ever awarded, newest first: the public announcement's rows (filtered by
    creation.filters.AnnouncementFilter)."""
    return Title.objects.select_related("awarding_region__parent", "holder_region").order_by(
        "-year", "-awarded_on", "number"
    )


def announcement_regions() -> QuerySet[Region]:
    """The regions that hold or awarded a title: suggestions for the region filter."""
    codes = set(Title.objects.values_list("holder_region_id", flat=True).distinct())
    codes |= set(Title.objects.values_list("awarding_region_id", flat=True).distinct())
    return Region.objects.filter(code__in=codes).order_by("code")


def announcement_years() -> list[int]:
    return list(Title.objects.order_by("-year").values_list("year", flat=True).distinct())


def _concerns(user: Any) -> Q | None:
    """The titles a person works with: those awarded or held in their region, or held by their
    park or enterprise. Titles are public, so this narrows a list; it guards nothing."""
    if is_platform_admin(user):
        return Q()
    if user.role == Role.PARK_OPERATOR and user.park_id:
        return Q(application__park_id=user.park_id)
    if user.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF) and user.enterprise_id:
        return Q(application__enterprise_id=user.enterprise_id)
    if user.region_id:
        path = user.region.path
        return Q(awarding_region__path__subtree=path) | Q(holder_region__path__subtree=path)
    return None


EXPIRY_FILTERS: Mapping[str, Callable[[datetime.date], Q]] = {
    "90": lambda today: Q(
        status__in=(Title.Status.ACTIVE, Title.Status.RE_EVALUATION),
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=RE_EVALUATION_DAYS),
    ),
    "expired": lambda today: (
        Q(status=Title.Status.EXPIRED)
        | Q(status__in=(Title.Status.ACTIVE, Title.Status.RE_EVALUATION), valid_until__lt=today)
    ),
}


def titles_concerning(user: Any) -> QuerySet[Title]:
    """The management list's rows: titles the user may read (``restrict``) that concern them,
    ending soonest first (filtered by creation.filters.TitleFilter)."""
    concerns = _concerns(user)
    qs = Title.objects.restrict(user, VIEW).select_related("awarding_region__parent", "holder_region")
    if concerns is None:
        return qs.none()
    return qs.filter(concerns).order_by("valid_until", "number")


def revocable_ids(user: Any, titles: Iterable[Title]) -> set[int]:
    """Which of these titles the user may revoke (to show the link only where it works)."""
    pks = [t.pk for t in titles if t.status != Title.Status.REVOKED]
    return set(Title.objects.restrict(user, CHANGE).filter(pk__in=pks).values_list("pk", flat=True))
