"""Kinds of files shared by several apps' uploads (each upload still declares its own list)."""

from __future__ import annotations

from shangmi.core import uploads

# Documents, office files, OFD and photos: what a self-assessment's evidence and an activity's
# materials usually are.
DOCUMENTS_AND_PHOTOS = {suffix: uploads.ALL_KINDS[suffix] for suffix in (*uploads.DOCUMENTS, ".jpg", ".jpeg", ".png")}


def documents_and_photos_accept() -> str:
    """The ``accept`` attribute of a file input for DOCUMENTS_AND_PHOTOS."""
    return uploads.accepted_suffixes(DOCUMENTS_AND_PHOTOS)
