"""Knowledge and outreach: laws article by article, country guides, risk alerts, service
institutions, news, typical cases, and the search index over them.

Laws and country guides are public reference data (loaded from data/ by
``load_knowledge``). What a bureau writes (alerts, news, cases) starts as a draft read only by
that bureau's region; once published it is public, which the ``Published*`` proxies say: their
managers hold only published rows and their scope lets every reader see them, so a public page
declares one of them as its model and can never show a draft.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message
from shangmi.core.roles import Role
from shangmi.core.scoping import ACTIONS, ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, Scope

# Countries and regions an exporter names (ISO 3166 codes; EU for the Union as a whole).
COUNTRIES: list[tuple[str, Any]] = [
    ("US", _("United States")),
    ("EU", _("European Union")),
    ("DE", _("Germany")),
    ("FR", _("France")),
    ("GB", _("United Kingdom")),
    ("JP", _("Japan")),
    ("KR", _("Korea")),
    ("SG", _("Singapore")),
    ("VN", _("Viet Nam")),
    ("IN", _("India")),
    ("RU", _("Russia")),
    ("BR", _("Brazil")),
    ("AU", _("Australia")),
    ("CA", _("Canada")),
    ("MX", _("Mexico")),
    ("AE", _("United Arab Emirates")),
]
COUNTRY_CODES = frozenset(code for code, _label in COUNTRIES)

_REGULATOR_ONLY: Mapping[str, frozenset[str]] = {Role.REGULATOR: frozenset(ACTIONS)}


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    PUBLISHED = "published", _("Published")


class Law(models.Model):
    """A law, regulation, judicial interpretation or rule; its articles carry the dates."""

    class Kind(models.TextChoices):
        LAW = "law", _("Law")
        REGULATION = "regulation", _("Administrative regulation")
        INTERPRETATION = "interpretation", _("Judicial interpretation")
        RULE = "rule", _("Departmental rule")
        DOCUMENT = "document", _("Normative document")

    code = models.SlugField(_("code"), max_length=48, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)

    # Public reference data: every reader, signed in or not (the portal).
    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("law or regulation")
        verbose_name_plural = _("laws and regulations")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:law_detail", args=[self.pk])


class Article(models.Model):
    """One version of one article: an amendment is a new row of the same number with a later
    ``effective_from``; the version it replaces ends the day before (``repealed_on``)."""

    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="articles", verbose_name=_("law"))
    number = models.CharField(_("article"), max_length=16)
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("heading"), max_length=200)
    text = models.TextField(_("text"))
    # The official text was not at hand: a neutral summary, shown as such, never as the law's words.
    is_summary = models.BooleanField(_("summary, not the official text"), default=True)
    effective_from = models.DateField(_("in force from"))
    repealed_on = models.DateField(_("no longer in force from"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["law", "order", "number", "effective_from"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["law", "number", "effective_from"], name="article_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.law.title} {self.label}"

    @property
    def label(self) -> str:
        return f"第{self.number}条"


class CountryGuide(models.Model):
    """A country or region's trade secret law, field by field (``GuideEntry``)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64)
    updated_on = models.DateField(_("facts as of"))
    order = models.PositiveSmallIntegerField(default=0)

    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("country guide")
        verbose_name_plural = _("country guides")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:country_detail", args=[self.pk])


class GuideField(models.TextChoices):
    DEFINITION = "definition", _("What a trade secret is")
    ACTS = "acts", _("Acts that infringe")
    EXCEPTIONS = "exceptions", _("Exceptions")
    CIVIL = "civil", _("Civil remedies")
    LIMITATION = "limitation", _("Limitation period")
    CRIMINAL = "criminal", _("Criminal liability")
    PROCEDURES = "procedures", _("Special procedures")
    EXPORTERS = "exporters", _("What a Chinese exporter should do")


class GuideEntry(models.Model):
    guide = models.ForeignKey(CountryGuide, on_delete=models.CASCADE, related_name="entries")
    field = models.CharField(_("field"), max_length=16, choices=GuideField.choices)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=300)

    scope = Scope(public_view=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("country guide entry")
        verbose_name_plural = _("country guide entries")
        constraints = [models.UniqueConstraint(fields=["guide", "field"], name="guide_field_once")]

    def __str__(self) -> str:
        return f"{self.guide.code} {self.field}"


class ExportMarket(models.Model):
    """A country or region an enterprise exports to: the risk alerts it receives follow it.
    Kept here, not on the enterprise, so the registry needs no knowledge of alerts."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="export_markets", verbose_name=_("enterprise")
    )
    country = models.CharField(_("country or region"), max_length=8, choices=COUNTRIES)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    # The enterprise's admin keeps its list; the bureau of its region reads it to target alerts.
    scope = Scope(
        enterprises=("enterprise",),
        regions=("enterprise__region",),
        grants={
            Role.REGULATOR: frozenset({VIEW}),
            Role.ENTERPRISE_ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE}),
            Role.ENTERPRISE_STAFF: frozenset({VIEW}),
        },
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "country"]
        verbose_name = _("export market")
        verbose_name_plural = _("export markets")
        constraints = [models.UniqueConstraint(fields=["enterprise", "country"], name="export_market_once")]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.get_country_display()}"


class RiskAlert(models.Model):
    """A bureau's 风险提示 to the enterprises of its region that export to the named markets
    (and, when named, work in the named industries)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    countries = models.JSONField(_("export markets"), default=list)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    is_public = models.BooleanField(_("shown on the public portal"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The bureau's own; a recipient reads it through their delivery (AlertDelivery).
    scope = Scope(regions=("region",), grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:alert_detail", args=[self.pk])


class AlertDelivery(models.Model):
    """The read receipt: to whom an alert went, and when they opened it."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(_("delivered"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    # A recipient's own copy: read by that person alone (the bureau reads the receipts
    # through the alert's page, within its region).
    scope = Scope(owners=("user",), owner_only=True, grants={})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "user"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_delivered_once")]

    def __str__(self) -> str:
        return f"{self.alert} → {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:alert_received", args=[self.pk])


class Institution(models.Model):
    """A third-party service institution (appraisal, law firm, insurer, mediation) in a region."""

    class Kind(models.TextChoices):
        APPRAISAL = "appraisal", _("Forensic appraisal")
        LAW_FIRM = "law_firm", _("Law firm")
        INSURER = "insurer", _("Insurer")
        MEDIATION = "mediation", _("Mediation")
        ARBITRATION = "arbitration", _("Arbitration")
        ASSOCIATION = "association", _("Industry association")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    services = models.TextField(_("services"))
    contact = models.CharField(_("contact"), max_length=160, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    # A public directory; the region's bureau keeps it.
    scope = Scope(regions=("region",), public_view=True, grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["region", "kind", "name"]
        verbose_name = _("service institution")
        verbose_name_plural = _("service institutions")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="institution_name_once")]

    def __str__(self) -> str:
        return self.name


class NewsArticle(models.Model):
    """An article of the publicity column; the month's published ones make the e-bulletin."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(regions=("region",), grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:news_detail", args=[self.pk])


# Managers that hold only the published rows; built from RestrictedQuerySet so restrict()
# answers on them like on every scoped model.
_RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


class _PublishedManager(_RestrictedManager):
    def get_queryset(self) -> Any:
        return super().get_queryset().filter(status=Status.PUBLISHED)


class _PublicAlertManager(_RestrictedManager):
    def get_queryset(self) -> Any:
        return super().get_queryset().filter(status=Status.PUBLISHED, is_public=True)


class PublicAlert(RiskAlert):
    """Published alerts the bureau marked public: what the portal shows."""

    scope = Scope(public_view=True, grants={})
    objects = _PublicAlertManager()  # type: ignore[misc]  # published and public rows only

    class Meta:
        proxy = True

    def get_absolute_url(self) -> str:
        return reverse("portal:alert_detail", args=[self.pk])


class PublishedNews(NewsArticle):
    scope = Scope(public_view=True, grants={})
    objects = _PublishedManager()  # type: ignore[misc]  # the proxy's own manager: published rows only

    class Meta:
        proxy = True

    def get_absolute_url(self) -> str:
        return reverse("portal:news_detail", args=[self.pk])


class TypicalCase(models.Model):
    """A typical case (典型案例): entered by a bureau, approved by a reviewer of the bureau
    who did not enter it, then published."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    authority = models.CharField(_("court or bureau"), max_length=120)
    decided_on = models.DateField(_("decided on"))
    outcome = models.TextField(_("outcome"))
    articles = models.ManyToManyField(Article, blank=True, related_name="+", verbose_name=_("articles cited"))
    # Where it came from (an enforcement case's number), kept as text: that app sits above this one.
    source_reference = models.CharField(_("source case"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    scope = Scope(regions=("region",), grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:case_detail", args=[self.pk])


class PublishedCase(TypicalCase):
    scope = Scope(public_view=True, grants={})
    objects = _PublishedManager()  # type: ignore[misc]  # the proxy's own manager: published rows only

    class Meta:
        proxy = True

    def get_absolute_url(self) -> str:
        return reverse("portal:case_detail", args=[self.pk])


class SearchEntry(models.Model):
    """One searchable document (a law's article, a country guide, a case, an article, an
    alert): what the result shows and who may find it. Its words are ``SearchToken`` rows."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Law article")
        COUNTRY = "country", _("Country guide")
        CASE = "case", _("Typical case")
        NEWS = "news", _("News")
        ALERT = "alert", _("Risk alert")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=240)
    excerpt = models.CharField(max_length=300)
    url = models.CharField(max_length=200)
    public_url = models.CharField(max_length=200, blank=True)
    # Drafts are found only by their bureau (region); published entries by everyone.
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, null=True, related_name="+")
    published = models.BooleanField(default=True)

    scope = Scope(regions=("region",), grants={Role.REGULATOR: frozenset({VIEW})})
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once")]
        indexes = [models.Index(fields=["published"], name="search_entry_published", condition=Q(published=True))]

    def __str__(self) -> str:
        return self.title


class SearchToken(models.Model):
    """The inverted index: one row per distinct word of an entry, as jieba segmented it."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "entry"], name="search_token_once")]

    def __str__(self) -> str:
        return self.token


class GuideDocument(models.Model):
    """A guide or template the bureau offers for download (工作指引, NDA and non-compete templates,
    the compliance reference text), kept as numbered versions."""

    class Kind(models.TextChoices):
        WORK_GUIDE = "work_guide", _("Work guide")
        NDA_TEMPLATE = "nda_template", _("Confidentiality agreement template")
        NONCOMPETE_TEMPLATE = "noncompete_template", _("Non-compete agreement template")
        COMPLIANCE_REFERENCE = "compliance_reference", _("Compliance reference text")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Offered to every signed-in reader; the bureau of its region publishes new versions.
    scope = Scope(regions=("region",), public_view=True, grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title", "pk"]
        verbose_name = _("guide or template")
        verbose_name_plural = _("guides and templates")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:document_detail", args=[self.pk])


def _version_path(instance: DocumentVersion, filename: str) -> str:
    # No part of the uploaded name reaches the storage path.
    return f"knowledge/documents/{instance.document_id}/{uuid.uuid4().hex}"


class DocumentVersion(models.Model):
    """One published version: never changed once written; a newer number supersedes it."""

    document = models.ForeignKey(GuideDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    file = models.FileField(upload_to=_version_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published"))

    scope = Scope(regions=("document__region",), public_view=True, grants=_REGULATOR_ONLY)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_once")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published version is what enterprises downloaded: it is never rewritten. The file
        # is stored by FieldFile.save() on the first save, which this lets through once.
        if self.pk is not None and DocumentVersion.objects.filter(pk=self.pk).exclude(file="").exists():
            raise AppError(VERSION_IMMUTABLE)
        super().save(*args, **kwargs)


VERSION_IMMUTABLE = Message(
    "knowledge.version_immutable", _("A published version is never changed: publish a new version instead.")
)
