"""The one refusal of the creation workflow that carries more than its message: an edit
conflict, which brings the other editor's answer along so the page can show it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from shangmi.core.calendar import program_local
from shangmi.core.errors import AppError, Message
from shangmi.creation.models import AssessmentEntry

EDIT_CONFLICT = Message(
    "creation.edit_conflict",
    gettext_lazy(
        "%(who)s changed item %(code)s at %(when)s while you were editing; review their answer and save again."
    ),
)


class EditConflict(AppError):
    """Someone else saved the same item since this editor loaded it; ``entry`` is their answer."""

    def __init__(self, entry: AssessmentEntry) -> None:
        super().__init__(
            EDIT_CONFLICT,
            who=entry.updated_by.display_name if entry.updated_by else "?",
            code=entry.item.code,
            when=program_local(entry.updated_at).strftime("%H:%M:%S") if entry.updated_at else "",
        )
        self.entry = entry
