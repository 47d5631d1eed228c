"""Writes: export markets, risk alerts and their delivery, institutions, news, typical cases.

Every write is the service's: it checks the writer's right through the scoping kit, refuses
with an AppError that names what is wrong, and keeps the search index in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shangmi.accounts.models import User
from shangmi.core import uploads
from shangmi.core.calendar import program_now
from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, ensure_in_scope, in_scope, may
from shangmi.enterprises.models import Enterprise, Industry
from shangmi.knowledge.models import (
    COUNTRY_CODES,
    AlertDelivery,
    Article,
    DocumentVersion,
    ExportMarket,
    GuideDocument,
    Institution,
    NewsArticle,
    RiskAlert,
    Status,
    TypicalCase,
)
from shangmi.knowledge.search import index_alert, index_case, index_news
from shangmi.notices.services import notify

NOT_A_BUREAU = Message("knowledge.not_a_bureau", _("Only a market supervision bureau bound to a region may do this."))
NOT_YOURS = Message("knowledge.not_yours", _("This is not in your scope."))
NO_ENTERPRISE = Message("knowledge.no_enterprise", _("Only an enterprise's administrator keeps its export markets."))
UNKNOWN_COUNTRY = Message("knowledge.unknown_country", _("%(country)s is not a country or region the platform knows."))
MARKET_TAKEN = Message("knowledge.market_taken", _("%(country)s is already one of your export markets."))
NO_COUNTRIES = Message("knowledge.no_countries", _("Name at least one export market the alert concerns."))
UNKNOWN_INDUSTRY = Message("knowledge.unknown_industry", _("%(industry)s is not an industry section of GB/T 4754."))
ALREADY_PUBLISHED = Message(
    "knowledge.already_published", _("It is already published; a published text is not changed.")
)
BLANK = Message("knowledge.blank", _("%(what)s may not be empty."))
NOT_SUBMITTED = Message("knowledge.not_submitted", _("Only a case awaiting review can be approved or returned."))
NOT_DRAFT = Message("knowledge.not_draft", _("Only a draft can be submitted for review."))
OWN_CASE = Message("knowledge.own_case", _("A case is approved by a reviewer who did not enter it."))
FUTURE_PUBLICATION = Message("knowledge.future_publication", _("An article cannot be published in the future."))
INSTITUTION_TAKEN = Message("knowledge.institution_taken", _("%(name)s is already listed in this region."))


def _bureau(user: User, model: type, action: str = ADD) -> str:
    """The region of the bureau that writes (a regulator bound to one), or a refusal."""
    if user.role != Role.REGULATOR or user.region_id is None or not may(user, action, model):
        raise AppError(NOT_A_BUREAU)
    return user.region_id


def _required(value: str, what: str, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AppError(BLANK, field=field_name, what=what)
    return value


# --- export markets -----------------------------------------------------------------------


def export_market_add(*, user: User, country: str) -> ExportMarket:
    if user.role != Role.ENTERPRISE_ADMIN or user.enterprise_id is None or not may(user, ADD, ExportMarket):
        raise AppError(NO_ENTERPRISE)
    country = (country or "").strip().upper()
    if country not in COUNTRY_CODES:
        raise AppError(UNKNOWN_COUNTRY, field="country", country=country or "—")
    with transaction.atomic():
        if ExportMarket.objects.filter(enterprise_id=user.enterprise_id, country=country).exists():
            raise AppError(MARKET_TAKEN, field="country", country=country)
        market = ExportMarket.objects.create(enterprise_id=user.enterprise_id, country=country, added_by=user)
        ensure_in_scope(market, user, ADD)
    return market


def export_market_remove(*, user: User, market: ExportMarket) -> None:
    if not in_scope(market, user, DELETE):
        raise AppError(NOT_YOURS)
    market.delete()


# --- risk alerts --------------------------------------------------------------------------


@dataclass
class AlertInput:
    title: str
    body: str
    countries: list[str]
    industries: list[str] = field(default_factory=list)
    is_public: bool = False


def alert_create(*, user: User, data: AlertInput) -> RiskAlert:
    region_id = _bureau(user, RiskAlert)
    countries = sorted({c.strip().upper() for c in data.countries if c.strip()})
    if not countries:
        raise AppError(NO_COUNTRIES, field="countries")
    for country in countries:
        if country not in COUNTRY_CODES:
            raise AppError(UNKNOWN_COUNTRY, field="countries", country=country)
    industries = sorted({i.strip().upper() for i in data.industries if i.strip()})
    for industry in industries:
        if industry not in Industry.values:
            raise AppError(UNKNOWN_INDUSTRY, field="industries", industry=industry)
    with transaction.atomic():
        alert = RiskAlert.objects.create(
            region_id=region_id,
            title=_required(data.title, str(_("The title")), "title"),
            body=_required(data.body, str(_("The text")), "body"),
            countries=countries,
            industries=industries,
            is_public=data.is_public,
            created_by=user,
        )
        ensure_in_scope(alert, user, ADD)
        index_alert(alert)
    return alert


def alert_targets(alert: RiskAlert) -> Iterable[Enterprise]:
    """The enterprises of the alert's region that export to one of its markets (and, when the
    alert names industries, work in one of them)."""
    rows = Enterprise.objects.filter(
        region__path__subtree=alert.region.path, export_markets__country__in=alert.countries
    )
    if alert.industries:
        rows = rows.filter(industry__in=alert.industries)
    return rows.distinct().order_by("pk")


def alert_publish(*, user: User, alert: RiskAlert) -> int:
    """Publish the alert and deliver it to the targeted enterprises' users, each delivery a read
    receipt to be signed when they open it. Returns how many people it reached."""
    if not in_scope(alert, user, CHANGE):
        raise AppError(NOT_YOURS)
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == Status.PUBLISHED:
            raise AppError(ALREADY_PUBLISHED)
        now = program_now()
        alert.status = Status.PUBLISHED
        alert.published_at = now
        alert.save(update_fields=["status", "published_at"])
        enterprises = list(alert_targets(alert))
        people = list(
            User.objects.filter(
                enterprise__in=enterprises,
                is_active=True,
                role__in=(Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF),
            ).order_by("pk")
        )
        title = str(_("Risk alert: %(title)s") % {"title": alert.title})
        for person in people:
            # One by one: each notification links to its own delivery, the receipt it signs.
            delivery = AlertDelivery.objects.create(
                alert=alert, user=person, enterprise_id=person.enterprise_id, delivered_at=now
            )
            notify([person], title, alert.body[:300], delivery.get_absolute_url())
        index_alert(alert)
    return len(people)


def alert_read(*, user: User, delivery: AlertDelivery) -> AlertDelivery:
    """Sign the reader's receipt the first time they open their delivered alert."""
    if delivery.user_id != user.pk:
        raise AppError(NOT_YOURS)
    if delivery.read_at is None:
        delivery.read_at = program_now()
        delivery.save(update_fields=["read_at"])
    return delivery


# --- institutions -------------------------------------------------------------------------


def institution_add(*, user: User, name: str, kind: str, services: str, contact: str = "") -> Institution:
    region_id = _bureau(user, Institution)
    name = _required(name, str(_("The name")), "name")
    if kind not in Institution.Kind.values:
        raise AppError(BLANK, field="kind", what=str(_("The kind")))
    with transaction.atomic():
        if Institution.objects.filter(region_id=region_id, name=name).exists():
            raise AppError(INSTITUTION_TAKEN, field="name", name=name)
        institution = Institution.objects.create(
            region_id=region_id,
            name=name,
            kind=kind,
            services=_required(services, str(_("The services")), "services"),
            contact=contact.strip()[:160],
            added_by=user,
        )
        ensure_in_scope(institution, user, ADD)
    return institution


# --- news ---------------------------------------------------------------------------------


def news_create(*, user: User, title: str, body: str) -> NewsArticle:
    region_id = _bureau(user, NewsArticle)
    with transaction.atomic():
        article = NewsArticle.objects.create(
            region_id=region_id,
            title=_required(title, str(_("The title")), "title"),
            body=_required(body, str(_("The text")), "body"),
            created_by=user,
        )
        ensure_in_scope(article, user, ADD)
        index_news(article)
    return article


def news_publish(*, user: User, article: NewsArticle, at: datetime.datetime | None = None) -> NewsArticle:
    """Publish a draft; ``at``: when it appeared, for an article already printed or posted
    elsewhere and entered afterwards (never later than now)."""
    now = program_now()
    if at is not None and at > now:
        raise AppError(FUTURE_PUBLICATION)
    if not in_scope(article, user, CHANGE):
        raise AppError(NOT_YOURS)
    with transaction.atomic():
        article = NewsArticle.objects.select_for_update().get(pk=article.pk)
        if article.status == Status.PUBLISHED:
            raise AppError(ALREADY_PUBLISHED)
        article.status = Status.PUBLISHED
        article.published_at = at or now
        article.save(update_fields=["status", "published_at"])
        index_news(article)
    return article


# --- typical cases ------------------------------------------------------------------------


@dataclass
class CaseInput:
    title: str
    summary: str
    authority: str
    decided_on: datetime.date
    outcome: str
    articles: list[Article] = field(default_factory=list)
    source_reference: str = ""


def case_create(*, user: User, data: CaseInput) -> TypicalCase:
    region_id = _bureau(user, TypicalCase)
    with transaction.atomic():
        case = TypicalCase.objects.create(
            region_id=region_id,
            title=_required(data.title, str(_("The title")), "title"),
            summary=_required(data.summary, str(_("The summary")), "summary"),
            authority=_required(data.authority, str(_("The court or bureau")), "authority"),
            decided_on=data.decided_on,
            outcome=_required(data.outcome, str(_("The outcome")), "outcome"),
            source_reference=data.source_reference.strip()[:120],
            created_by=user,
        )
        case.articles.set(data.articles)
        ensure_in_scope(case, user, ADD)
        index_case(case)
    return case


def case_submit(*, user: User, case: TypicalCase) -> TypicalCase:
    if not in_scope(case, user, CHANGE):
        raise AppError(NOT_YOURS)
    with transaction.atomic():
        case = TypicalCase.objects.select_for_update().get(pk=case.pk)
        if case.status != Status.DRAFT:
            raise AppError(NOT_DRAFT)
        case.status = Status.SUBMITTED
        case.save(update_fields=["status"])
    return case


def case_review(*, user: User, case: TypicalCase, approve: bool) -> TypicalCase:
    """A reviewer of the bureau who did not enter the case publishes it, or returns it to draft."""
    if not in_scope(case, user, CHANGE):
        raise AppError(NOT_YOURS)
    with transaction.atomic():
        case = TypicalCase.objects.select_for_update().get(pk=case.pk)
        if case.status != Status.SUBMITTED:
            raise AppError(NOT_SUBMITTED)
        if case.created_by_id == user.pk:
            raise AppError(OWN_CASE)
        case.reviewed_by = user
        if approve:
            case.status = Status.PUBLISHED
            case.published_at = program_now()
        else:
            case.status = Status.DRAFT
        case.save(update_fields=["status", "reviewed_by", "published_at"])
        index_case(case)
    return case


# --- guides and templates -----------------------------------------------------------------

UPLOAD_REFUSED = Message("knowledge.upload_refused", _("The file was refused: %(reason)s"))
NO_FILE = Message("knowledge.no_file", _("Choose the file of the new version."))


def document_create(*, user: User, title: str, kind: str, description: str = "") -> GuideDocument:
    region_id = _bureau(user, GuideDocument)
    if kind not in GuideDocument.Kind.values:
        raise AppError(BLANK, field="kind", what=str(_("The kind")))
    with transaction.atomic():
        document = GuideDocument.objects.create(
            region_id=region_id,
            title=_required(title, str(_("The title")), "title"),
            kind=kind,
            description=description.strip(),
            created_by=user,
        )
        ensure_in_scope(document, user, ADD)
    return document


def document_publish_version(
    *, user: User, document: GuideDocument, upload: UploadedFile | None, note: str = ""
) -> DocumentVersion:
    """Publish the next version of ``document``: the file is checked like every upload (type by
    its first bytes, size), stored under a name of ours, and supersedes the previous version,
    which stays downloadable and unchanged."""
    if not in_scope(document, user, CHANGE):
        raise AppError(NOT_YOURS)
    if upload is None:
        raise AppError(NO_FILE, field="file")
    try:
        content_type, sha256 = uploads.check_upload(upload, uploads.DOCUMENTS, uploads.MAX_BYTES)
    except uploads.UploadError as exc:
        raise AppError(UPLOAD_REFUSED, field="file", reason=str(exc)) from exc
    with transaction.atomic():
        document = GuideDocument.objects.select_for_update().get(pk=document.pk)
        latest = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = DocumentVersion(
            document=document,
            number=latest + 1,
            note=note.strip()[:300],
            uploaded_by=user,
            published_at=program_now(),
        )
        stored: DocumentVersion = uploads.store_upload(version, upload, content_type, sha256)
    return stored
