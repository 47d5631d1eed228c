"""Password policy beyond Django's: letters and digits, as government systems require."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    def validate(self, password: str, user: object = None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(
                _("The password must contain both letters and digits."), code="password_character_classes"
            )

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")


# A run this long of one repeated character ("1111"), or of a straight sequence ("12345",
# "abcde", "54321"), makes a password that a guessing list tries early.
MAX_REPEAT = 3
MAX_SEQUENCE = 4
MIN_DISTINCT = 6


def _longest_run(password: str, step: int) -> int:
    """The longest stretch where each character's code is the previous one's plus ``step``."""
    longest = run = 1 if password else 0
    for before, after in zip(password.lower(), password.lower()[1:], strict=False):
        run = run + 1 if ord(after) - ord(before) == step else 1
        longest = max(longest, run)
    return longest


class PatternValidator:
    """Refuses passwords made of a pattern: repeated characters, sequences, few distinct characters."""

    def validate(self, password: str, user: object = None) -> None:
        if _longest_run(password, 0) > MAX_REPEAT:
            raise ValidationError(
                _("The password repeats the same character more than %(n)d times in a row.") % {"n": MAX_REPEAT},
                code="password_repeated",
            )
        if max(_longest_run(password, 1), _longest_run(password, -1)) > MAX_SEQUENCE:
            raise ValidationError(
                _("The password contains a sequence such as 12345 or abcde."), code="password_sequence"
            )
        if len(set(password.lower())) < MIN_DISTINCT:
            raise ValidationError(
                _("The password must use at least %(n)d different characters.") % {"n": MIN_DISTINCT},
                code="password_few_distinct",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be a pattern: no runs of one character, no sequences such as 12345.")
