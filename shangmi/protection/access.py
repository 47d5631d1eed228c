"""Every read of the protection registers goes into the enterprise's one access log (the
deposits' log, shangmi.evidence.access), which its admins read at /evidence/access/."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from shangmi.evidence.access import describe_reads, record_read

SECRET_POINTS_LIST = "secret_points_list"
SECRET_POINT_VIEW = "secret_point_view"
SECRET_POINTS_EXPORT = "secret_points_export"
PEOPLE_LIST = "people_list"
PERSON_VIEW = "person_view"
PEOPLE_EXPORT = "people_export"
AGREEMENTS_LIST = "agreements_list"
AGREEMENT_VIEW = "agreement_view"
AGREEMENTS_EXPORT = "agreements_export"
CARRIERS_LIST = "carriers_list"
CARRIER_VIEW = "carrier_view"
CARRIERS_EXPORT = "carriers_export"
DEPARTURE_VIEW = "departure_view"
DEPARTURE_EXPORT = "departure_export"
DOSSIER_PDF = "dossier_pdf"
DOSSIER_RECEIPTS = "dossier_receipts"
VERSION_DEPOSIT = "version_deposit"
ENGAGEMENTS_LIST = "engagements_list"
AREAS_LIST = "areas_list"
AREA_VIEW = "area_view"
AREAS_EXPORT = "areas_export"
ENGAGEMENT_VIEW = "engagement_view"
ENGAGEMENTS_EXPORT = "engagements_export"

describe_reads(
    {
        SECRET_POINTS_LIST: _("listed the secret points"),
        SECRET_POINT_VIEW: _("opened a secret point"),
        SECRET_POINTS_EXPORT: _("exported the secret points"),
        PEOPLE_LIST: _("listed the confidential personnel"),
        PERSON_VIEW: _("opened a person's record"),
        PEOPLE_EXPORT: _("exported the confidential personnel"),
        AGREEMENTS_LIST: _("listed the agreements"),
        AGREEMENT_VIEW: _("opened an agreement"),
        AGREEMENTS_EXPORT: _("exported the agreements"),
        CARRIERS_LIST: _("listed the carriers"),
        CARRIER_VIEW: _("opened a carrier"),
        CARRIERS_EXPORT: _("exported the carriers"),
        DEPARTURE_VIEW: _("opened a departure handover list"),
        DEPARTURE_EXPORT: _("exported a departure handover list"),
        DOSSIER_PDF: _("downloaded a secret point's reasonable-measures dossier"),
        DOSSIER_RECEIPTS: _("downloaded a secret point's receipts"),
        VERSION_DEPOSIT: _("opened a secret point's deposit page"),
        ENGAGEMENTS_LIST: _("listed the business activities"),
        AREAS_LIST: _("listed the restricted areas"),
        AREA_VIEW: _("opened a restricted area"),
        AREAS_EXPORT: _("exported the restricted areas"),
        ENGAGEMENT_VIEW: _("opened a business activity"),
        ENGAGEMENTS_EXPORT: _("exported the business activities"),
    }
)


def record(user: Any, action: str, row: models.Model | None = None) -> None:
    """A read by ``user`` of ``row`` (or of a list or export of the user's enterprise's rows)."""
    enterprise_id = getattr(row, "enterprise_id", None) if row is not None else user.enterprise_id
    if enterprise_id is None and row is not None:
        enterprise_id = row.person.enterprise_id  # type: ignore[attr-defined]  # an agreement
    if enterprise_id is None:
        return  # a list read by no enterprise's user shows nothing of anyone's (restrict)
    record_read(user, enterprise_id=enterprise_id, action=action, record=row)
