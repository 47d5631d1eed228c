"""Errors of loading a standard. Messages are in English and name the file and the place
in it, so whoever edits a data file can find the problem without reading code."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of problem in a data file: tests and callers match on these, not on message text.
SYNTAX = "syntax"
MISSING = "missing"
WRONG_TYPE = "wrong_type"
UNKNOWN_FIELD = "unknown_field"
DUPLICATE = "duplicate"
BAD_CODE = "bad_code"
BAD_VALUE = "bad_value"
SUM_MISMATCH = "sum_mismatch"
FILE_NAME = "file_name"


@dataclass(frozen=True)
class Problem:
    kind: str
    path: str  # where in the file: "categories[3].criteria[0].items[2].points"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# Not an AppError, on purpose: standards are loaded only from the command line (load_standards,
# load_reference_data), never from a page, so these errors are for whoever edits a data file and
# read in English with the file and place in it; no person in the product ever sees them.
class StandardLoadError(Exception):
    """A standard cannot be loaded; nothing was written."""


class StandardFileError(StandardLoadError):
    """The data file is malformed or inconsistent. Every problem found is listed, not
    just the first, so one edit can fix them all."""

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        lines = "\n".join(f"  {origin}: {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {origin}:\n{lines}")

    @property
    def kinds(self) -> set[str]:
        return {problem.kind for problem in self.problems}


class StandardFrozenError(StandardLoadError):
    """The file changes a version that an application already uses."""
