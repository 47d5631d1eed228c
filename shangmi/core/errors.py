"""One application error type for every refusal a service makes.

A service that refuses raises ``AppError(SOME_MESSAGE, field=..., **params)`` where
SOME_MESSAGE is a module-level ``Message`` constant: a stable code, and the English source
text marked for translation (the Chinese comes from the catalogue). Views turn the error into
a message or a form error the same way everywhere (``core.forms.save_through``,
``core.views``); tests assert on the constant (``exc.message is SOME_MESSAGE``), never on
the wording, so a reworded message does not break a test and a changed refusal does.

The text is rendered when it is read, in the reader's language, so an error raised in a
background job and shown later is still in the language of whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Message:
    """A refusal's constant: ``code`` for logs, the API and tests; ``text`` (gettext_lazy,
    with ``%(name)s`` placeholders) for people."""

    code: str
    text: Promise | str

    def render(self, **params: Any) -> str:
        text = str(self.text)
        return text % params if params else text


class AppError(Exception):
    """A write refused, with the message to show and, for forms, the field it concerns."""

    def __init__(self, message: Message, /, *, field: str | None = None, **params: Any) -> None:
        self.message = message
        self.field = field
        self.params = params
        super().__init__(message.code)

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def text(self) -> str:
        return self.message.render(**self.params)

    def __str__(self) -> str:
        return self.text
