"""Assert that a service refused with one particular message constant, never on its wording."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from shangmi.core.errors import AppError, Message


@contextmanager
def refused_with(message: Message) -> Iterator[pytest.ExceptionInfo[AppError]]:
    """``with refused_with(SOME_MESSAGE): service(...)`` fails unless the service raises
    AppError carrying exactly that constant."""
    with pytest.raises(AppError) as info:
        yield info
    assert info.value.message is message, f"refused with {info.value.code!r}, expected {message.code!r}"
