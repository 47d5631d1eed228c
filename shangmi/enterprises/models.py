"""The enterprise registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shangmi.core.scoping import RestrictedQuerySet, Scope
from shangmi.enterprises.uscc import validate_uscc


class Industry(models.TextChoices):
    """Sections (门类) of GB/T 4754-2017, the national industry classification."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741 - the standard's letter
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


# GB/T 4754-2017 section names, as written on the national forms (an import reads
# them, the survey report prints them whatever the reader's interface language).
INDUSTRY_ZH: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}


class Tag(models.Model):
    """Enterprise tags of the programs (knowledge-intensive, 专精特新, ...); data, so more can be added."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=32, unique=True)
    name_en = models.CharField(_("English name"), max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=128, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("region")
    )
    park = models.ForeignKey(
        "regions.Park",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("park"),
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="enterprises", verbose_name=_("tags"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_liaison_point = models.BooleanField(_("liaison point"), default=False, db_index=True)
    liaison_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_enterprises",
        verbose_name=_("liaison officer"),
        limit_choices_to={"role": "officer"},
    )
    # The fixed guidance officer (指导员) of the Chongqing standard's item 5.1.a.
    guidance_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guided_enterprises",
        verbose_name=_("guidance officer"),
        limit_choices_to={"role": "officer"},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope = Scope(
        regions=("region",),
        parks=("park",),
        enterprises=("pk",),
        officers=("liaison_officer", "guidance_officer"),
    )
    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["region", "name"], name="enterprise_region_name"),
            # The liaison points (3 % of a province) that the rates dashboard counts. Django
            # writes is_liaison_point=True as a bare "WHERE is_liaison_point", which the plain
            # index on the column cannot serve: SQLite read all 100,000 rows of the table for
            # them. A partial index with the same condition is used for exactly that term.
            models.Index(fields=["region"], condition=Q(is_liaison_point=True), name="enterprise_liaison_points"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("enterprises:detail", args=[self.pk])
