"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation category (1), administrative
division code (6 digits), organisation code per GB 11714 (8 characters + its own check
character), and a check character over the first 17. The character set leaves out
I, O, S, V and Z so that codes cannot be misread.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalise_uscc(raw: str) -> str:
    """What people paste from Word or Excel: full-width characters, spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_errors(code: str) -> list[str]:
    """Every reason ``code`` (already normalised) is not a valid USCC, in reading order."""
    if len(code) != 18:
        return [_("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}]
    bad = [(i + 1, ch) for i, ch in enumerate(code) if ch not in _VALUE]
    if bad:
        where = ", ".join(_("“%(ch)s” at position %(pos)d") % {"ch": ch, "pos": pos} for pos, ch in bad)
        return [
            _("Characters that never appear in a unified social credit code (I, O, S, V, Z and symbols): %(where)s.")
            % {"where": where}
        ]
    errors: list[str] = []
    if not code[2:8].isdigit():
        errors.append(_("Positions 3-8 are the administrative division code and must be digits."))
    org_body, org_check = code[8:16], code[16]
    if all(ch in _ORG_ALPHABET for ch in org_body):
        expected_org = org_code_check_character(org_body)
        if org_check != expected_org:
            errors.append(
                _("The organisation code (positions 9-17) should end in %(want)s, not %(got)s.")
                % {"want": expected_org, "got": org_check}
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        errors.append(
            _("The check character (position 18) should be %(want)s, not %(got)s; a character is probably mistyped.")
            % {"want": expected, "got": code[17]}
        )
    return errors


def validate_uscc(value: str) -> None:
    """Model and form validator: raises with every reason at once."""
    errors = uscc_errors(normalise_uscc(value))
    if errors:
        raise ValidationError(errors, code="invalid_uscc")


def make_uscc(division_code: str, serial: int, authority: str = "9", category: str = "1") -> str:
    """A valid code for demo and benchmark data: the serial becomes the organisation code."""
    body = f"{serial:08d}"[-8:]
    if len(f"{serial:08d}") > 8:
        raise ValueError("serial must fit in 8 digits")
    first17 = authority + category + division_code + body + org_code_check_character(body)
    return first17 + check_character(first17)
