"""Refusals of the creation workflow (rounds, applications, review, titles)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shangmi.core.calendar import program_local
from shangmi.creation.models import AssessmentEntry


class CreationError(Exception):
    """A rule of the program stops the step; the message says which, in the user's language."""


class EditConflict(CreationError):
    """Someone else saved the same item since this editor loaded it."""

    def __init__(self, entry: AssessmentEntry) -> None:
        who = entry.updated_by.display_name if entry.updated_by else "?"
        super().__init__(
            _("%(who)s changed item %(code)s at %(when)s while you were editing; review their answer and save again.")
            % {
                "who": who,
                "code": entry.item.code,
                "when": program_local(entry.updated_at).strftime("%H:%M:%S") if entry.updated_at else "",
            }
        )
        self.entry = entry
