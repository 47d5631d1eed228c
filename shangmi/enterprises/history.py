"""The change history shown on a record: who, when, and what changed from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: Any
    who: str
    kind: str
    changes: list[Change]


_KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record: Any, field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    model_field = record.instance_type._meta.get_field(field)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and not model_field.many_to_many:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if model_field.many_to_many:
        ids = (
            [row[model_field.m2m_reverse_field_name()] for row in value]
            if value and isinstance(value[0], dict)
            else value
        )
        names = [str(o) for o in model_field.related_model._default_manager.filter(pk__in=ids)]
        return "、".join(sorted(names)) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def history_entries(obj: Any, limit: int = 50) -> list[HistoryEntry]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                label = str(record.instance_type._meta.get_field(change.field).verbose_name)
                changes.append(
                    Change(
                        label, _display(record, change.field, change.old), _display(record, change.field, change.new)
                    )
                )
        who = str(record.history_user) if record.history_user else _("system")
        kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
        entries.append(HistoryEntry(record.history_date, who, kinds.get(record.history_type, ""), changes))
    return entries
