"""What each role sees on landing: the counts of its scope and what waits for it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shangmi.accounts.models import User
from shangmi.core.calendar import program_today
from shangmi.core.roles import Role
from shangmi.core.scoping import is_platform_admin
from shangmi.enterprises.models import Enterprise
from shangmi.jobs.models import Job
from shangmi.regions.models import Park


@dataclass
class Waiting:
    text: str
    count: int
    url: str


@dataclass
class WorkRow:
    """One piece of a person's own work: what, on what, by when, where it is done."""

    what: str
    subject: str
    due: datetime.date | None
    state: str
    url: str
    overdue: bool = False


@dataclass
class HomeSummary:
    role_label: str
    place: str
    counts: list[tuple[str, int, str]] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    # The rows of the person's own work (an expert's assignments, a liaison's transfers).
    work: list[WorkRow] = field(default_factory=list)
    work_title: str = ""


def home_summary(user: Any) -> HomeSummary:
    enterprises = Enterprise.objects.restrict(user)
    place = ""
    if user.enterprise_id:
        place = f"{user.enterprise.name} · {user.enterprise.region.full_name}"
    elif user.park_id:
        place = f"{user.park.name} · {user.park.region.full_name}"
    elif user.region_id:
        place = user.region.full_name
    elif is_platform_admin(user):
        place = _("Whole country")

    enterprise_list = reverse("enterprises:list")
    summary = HomeSummary(role_label=user.get_role_display(), place=place)
    summary.counts.append((_("Enterprises"), enterprises.count(), enterprise_list))
    summary.counts.append(
        (
            _("Liaison points"),
            enterprises.filter(is_liaison_point=True).count(),
            enterprise_list + "?liaison_point=true",
        )
    )
    parks = Park.objects.restrict(user)
    summary.counts.append((_("Parks"), parks.count(), reverse("regions:park_list")))
    users = User.objects.restrict(user)
    summary.counts.append((_("Accounts"), users.count(), reverse("accounts:user_list")))

    if user.role == Role.REGULATOR or is_platform_admin(user):
        missing = enterprises.filter(is_liaison_point=True, liaison_officer__isnull=True).count()
        if missing:
            summary.waiting.append(
                Waiting(
                    _("Liaison points without a liaison officer"),
                    missing,
                    enterprise_list + "?liaison_point=true&has_officer=false",
                )
            )
    if user.role == Role.ENTERPRISE_ADMIN:
        pending = users.filter(enterprise_id=user.enterprise_id, last_login__isnull=True).count()
        if pending:
            summary.waiting.append(
                Waiting(_("Invited staff who have not signed in yet"), pending, reverse("accounts:user_list"))
            )
    _creation_waiting(user, summary)
    _expert_work(user, summary)
    _judicial_work(user, summary)
    _officer_follows(user, summary)
    _ledgers_waiting(user, summary)
    running = Job.objects.restrict(user).exclude(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).count()
    if running:
        summary.waiting.append(Waiting(_("Jobs still running"), running, reverse("jobs:list")))
    return summary


def _creation_waiting(user: Any, summary: HomeSummary) -> None:
    """Reviews waiting at the user's own region; applications returned to the applicant."""
    from shangmi.creation.models import Application, Stage

    if user.role == Role.REGULATOR and user.region_id:
        reviews = Stage.objects.filter(
            status=Stage.Status.ACTIVE,
            region_id=user.region_id,
            application__in=Application.objects.restrict(user).values("pk"),
        ).count()
        if reviews:
            summary.waiting.append(
                Waiting(_("Applications waiting for your review"), reviews, reverse("creation:queue"))
            )
    returned = Application.objects.restrict(user).filter(status=Application.Status.RETURNED)
    if user.enterprise_id:
        returned = returned.filter(enterprise_id=user.enterprise_id)
    elif user.park_id:
        returned = returned.filter(park_id=user.park_id, applicant_kind=Application.ApplicantKind.PARK)
    else:
        returned = returned.none()
    count = returned.count()
    if count:
        summary.waiting.append(
            Waiting(
                _("Applications returned to you for changes"),
                count,
                reverse("creation:application_list") + "?status=returned",
            )
        )


def _ledgers_waiting(user: Any, summary: HomeSummary) -> None:
    """Surveys an enterprise has still to answer; an officer's enterprises missing this
    half's guidance."""

    from shangmi.surveys.models import Survey, SurveyAssignment

    today = program_today()
    if user.enterprise_id:
        open_surveys = SurveyAssignment.objects.filter(
            enterprise_id=user.enterprise_id,
            answered_at__isnull=True,
            survey__status=Survey.Status.OPEN,
            survey__deadline__gte=today,
        ).count()
        if open_surveys:
            summary.waiting.append(
                Waiting(_("Surveys waiting for your answers"), open_surveys, reverse("surveys:survey_list"))
            )
    if user.role == Role.OFFICER:
        from shangmi.ledgers.guidance.halfyear import HALF_FIELDS, current_half, guided_enterprises, half_year_status

        year, half = current_half(today)
        status = half_year_status(guided_enterprises(Enterprise.objects.restrict(user)), year)
        missing = status.filter(**{HALF_FIELDS[half]: 0}).count()
        if missing:
            summary.waiting.append(
                Waiting(
                    _("Your enterprises without guidance this half-year"),
                    missing,
                    reverse("ledgers:guidance_halfyear") + f"?year={year}",
                )
            )


def _expert_work(user: Any, summary: HomeSummary) -> None:
    """An expert's assignments, the open ones first by due date, then the last ones done."""
    if user.role != Role.EXPERT:
        return
    from shangmi.creation.models import ExpertAssignment

    today = program_today()
    mine = ExpertAssignment.objects.restrict(user).filter(expert=user).select_related("application", "stage")
    open_rows = list(mine.filter(status=ExpertAssignment.Status.ASSIGNED).order_by("due_on", "pk"))
    done_rows = list(mine.filter(status=ExpertAssignment.Status.SUBMITTED).order_by("-submitted_at", "-pk")[:5])
    summary.counts = [
        (_("Assignments open"), len(open_rows), reverse("home:home")),
        (_("Opinions given"), mine.filter(status=ExpertAssignment.Status.SUBMITTED).count(), reverse("home:home")),
    ]
    if open_rows:
        summary.waiting.append(
            Waiting(_("Applications waiting for your expert opinion"), len(open_rows), open_rows[0].get_absolute_url())
        )
    summary.work_title = _("Your review assignments")
    for row in [*open_rows, *done_rows]:
        tasks = []
        if row.score_items:
            tasks.append(_("Score the items"))
        if row.on_site:
            tasks.append(_("Join the on-site acceptance"))
        summary.work.append(
            WorkRow(
                what="、".join(tasks),
                subject=f"{row.application.applicant_name} · {row.stage.get_kind_display()}",
                due=row.due_on,
                state=row.get_status_display(),
                url=row.get_absolute_url(),
                overdue=row.status == ExpertAssignment.Status.ASSIGNED and row.due_on < today,
            )
        )


def _judicial_work(user: Any, summary: HomeSummary) -> None:
    """A judicial liaison's transfers: those awaiting the receipt, then those awaiting the
    organ's decision (with the day it is due), then the last ones decided."""
    if user.role != Role.JUDICIAL_LIAISON:
        return
    from shangmi.enforcement.models import Transfer

    today = program_today()
    received = Transfer.objects.restrict(user).filter(receiver=user).exclude(status=Transfer.Status.PROPOSED)
    received = received.select_related("case")
    to_sign = list(received.filter(status=Transfer.Status.SENT).order_by("sent_at", "pk"))
    to_decide = list(received.filter(status=Transfer.Status.RECEIVED).order_by("organ_decide_by", "pk"))
    decided = list(
        received.filter(status__in=[Transfer.Status.ACCEPTED, Transfer.Status.REFUSED]).order_by(
            "-organ_decided_on", "-pk"
        )[:5]
    )
    transfers = reverse("enforcement:transfer_list")
    summary.counts = [
        (_("Transfers received"), received.count(), transfers),
        (_("Awaiting your receipt"), len(to_sign), transfers),
        (_("Awaiting the organ's decision"), len(to_decide), transfers),
    ]
    if to_sign:
        summary.waiting.append(
            Waiting(_("Transfers waiting for your receipt"), len(to_sign), to_sign[0].get_absolute_url())
        )
    if to_decide:
        summary.waiting.append(
            Waiting(_("Transfers waiting for the organ's decision"), len(to_decide), to_decide[0].get_absolute_url())
        )
    summary.work_title = _("Transfers to you")
    for transfer in to_sign:
        summary.work.append(
            WorkRow(_("Sign the receipt"), str(transfer.case.party), None, transfer.get_status_display(),
                    transfer.get_absolute_url())
        )  # fmt: skip
    for transfer in [*to_decide, *decided]:
        due = transfer.organ_decide_by if transfer.status == Transfer.Status.RECEIVED else None
        summary.work.append(
            WorkRow(
                _("Record the organ's decision") if due else transfer.get_status_display(),
                str(transfer.case.party),
                due,
                transfer.get_status_display(),
                transfer.get_absolute_url(),
                overdue=due is not None and due < today,
            )
        )


def _officer_follows(user: Any, summary: HomeSummary) -> None:
    """A liaison officer follows the applications and survey answers of their enterprises."""
    if user.role != Role.OFFICER:
        return
    from shangmi.creation.models import Application
    from shangmi.surveys.models import Survey, SurveyAssignment

    applications = Application.objects.restrict(user).exclude(status=Application.Status.WITHDRAWN).count()
    summary.counts.append((_("Applications of your enterprises"), applications, reverse("creation:application_list")))
    unanswered = (
        SurveyAssignment.objects.restrict(user)
        .filter(answered_at__isnull=True, survey__status=Survey.Status.OPEN, survey__deadline__gte=program_today())
        .count()
    )
    if unanswered:
        summary.waiting.append(
            Waiting(_("Open surveys your enterprises have not answered"), unanswered, reverse("surveys:survey_list"))
        )
