"""Fixtures shared by the evidence tests."""

from tests.evidence.tsa import local_tsa  # noqa: F401 - a local RFC 3161 authority the tests run themselves
