"""Files people upload (evidence, visit photos, activity materials): checked and hashed in one place.

A file is accepted by its extension, and only if its first bytes are those of a real file of
that kind: an executable renamed to .pdf is refused. It must not be empty or over the size
limit. Its SHA-256 is computed on arrival and kept with the row, with who uploaded it.

An image (JPEG, PNG) must also open as one, and its pixel count, read from its header before
anything is decoded, must stay within ``SHANGMI_IMAGE_MAX_PIXELS``: a 236 KB PNG can declare
9000 x 9000 pixels and cost 600 MB to decode. Thumbnails check the same before decoding a
stored file (``open_image``), and Pillow's own MAX_IMAGE_PIXELS guard is set to the limit.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from shangmi.core.errors import AppError, Message

MAX_BYTES = 20 * 1024 * 1024

ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# Extension -> (content type, the bytes a real file of that kind starts with). Office files
# are zip (OOXML) or OLE (97-2003); HEIF photos are checked by their brand (see _is_heif).
DOCUMENTS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".ofd": ("application/ofd", (ZIP,)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
    ".ppt": ("application/vnd.ms-powerpoint", (OLE,)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
}
IMAGES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (JPEG,)),
    ".jpeg": ("image/jpeg", (JPEG,)),
    ".png": ("image/png", (PNG,)),
    ".heic": ("image/heic", ()),
    ".heif": ("image/heif", ()),
}
ALL_KINDS = {**DOCUMENTS, **IMAGES}

Allowed = Mapping[str, tuple[str, tuple[bytes, ...]]]
# Image formats whose header Pillow reads (HEIF photos are stored, never decoded).
DECODED = {"image/jpeg": "JPEG", "image/png": "PNG"}

IMAGE_TOO_LARGE = Message(
    "image_pixels",
    gettext_lazy("%(name)s is %(width)d x %(height)d pixels; images of at most %(limit)d million pixels are accepted."),
)


# The refusals of check_uploads: every app's form with several files says them the same way.
UPLOAD_REFUSED = Message("uploads.refused", gettext_lazy("The file was refused: %(reason)s"))
TOO_MANY_FILES = Message("uploads.too_many_files", gettext_lazy("At most %(limit)d files at once."))


class UploadError(ValueError):
    """What is wrong with an uploaded file, in words the uploader can act on; ``message`` is
    the constant of the refusal where it has one."""

    def __init__(self, text: str, message: Message | None = None) -> None:
        super().__init__(text)
        self.message = message


def _pixel_limit() -> int:
    limit: int = settings.SHANGMI_IMAGE_MAX_PIXELS
    # Pillow's own guard, for any decode that does not come through here: it warns above the
    # limit and refuses at twice it.
    Image.MAX_IMAGE_PIXELS = limit
    return limit


def image_size(handle: IO[bytes], format_name: str) -> tuple[int, int] | None:
    """(width, height) from the image's header, decoding nothing; None when it is not an
    image of ``format_name`` (a zip named .png, a truncated header)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle, formats=[format_name]) as image:  # reads the header only
                return image.size
    except Image.DecompressionBombError:
        # Refused by Pillow at twice the limit before it returns the size; we refuse it too.
        return None
    except (OSError, ValueError, SyntaxError):
        return None


def check_image(handle: IO[bytes], name: str, content_type: str) -> None:
    """Raise UploadError when the image in ``handle`` declares more pixels than the limit.

    Only the header is read. A file whose header Pillow cannot read passed the signature
    check and is kept as the file it is; no thumbnail is ever decoded from it (open_image)."""
    limit = _pixel_limit()
    handle.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(handle, formats=[DECODED[content_type]]) as image:  # the header only
                width, height = image.size
        except Image.DecompressionBombError as exc:
            # Pillow refuses at twice the limit, before handing out the size.
            raise UploadError(
                _("%(name)s declares more pixels than any photo has; it is refused.") % {"name": name},
                IMAGE_TOO_LARGE,
            ) from exc
        except (OSError, ValueError, SyntaxError):
            width = height = 0
    handle.seek(0)
    if width * height > limit:
        raise UploadError(
            IMAGE_TOO_LARGE.render(name=name, width=width, height=height, limit=limit // 1_000_000), IMAGE_TOO_LARGE
        )


def open_image(handle: IO[bytes], content_type: str) -> Any:
    """The image in ``handle``, opened but not decoded, or None when it is not one or has more
    pixels than the limit (checked from the header, before any decoding)."""
    format_name = DECODED.get(content_type)
    if format_name is None:
        return None
    limit = _pixel_limit()
    size = image_size(handle, format_name)
    if size is None or size[0] * size[1] > limit:
        return None
    handle.seek(0)
    return Image.open(handle, formats=[format_name])


def _is_heif(head: bytes) -> bool:
    # ISO base media file: a 4-byte box size, "ftyp", then the major brand.
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def check_upload(
    upload: UploadedFile[bytes], allowed: Allowed = ALL_KINDS, max_bytes: int = MAX_BYTES
) -> tuple[str, str]:
    """Return (content type, SHA-256) of ``upload``, or raise UploadError saying what is wrong."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in allowed:
        raise UploadError(
            _("%(name)s: files of this type are not accepted; use one of %(types)s.")
            % {"name": name, "types": " ".join(sorted(allowed))}
        )
    if not upload.size:
        raise UploadError(_("%(name)s is empty.") % {"name": name})
    if upload.size > max_bytes:
        raise UploadError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": max_bytes // (1024 * 1024)}
        )
    content_type, signatures = allowed[suffix]
    upload.seek(0)
    head = upload.read(16)
    real = _is_heif(head) if content_type.startswith("image/hei") else any(head.startswith(s) for s in signatures)
    if not real:
        raise UploadError(_("%(name)s is not a real %(ext)s file.") % {"name": name, "ext": suffix})
    if content_type in DECODED:
        check_image(upload, name, content_type)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def store_upload(row: Any, upload: UploadedFile[bytes], content_type: str, sha256: str, **fields: Any) -> Any:
    """Save ``row`` (an unsaved file row with ``file``, ``original_name``, ``content_type``,
    ``size``, ``sha256``) with ``upload`` as its file. The stored name comes from the model's
    ``upload_to`` and carries no user input; the original name is kept in the row."""
    row.original_name = PurePath(upload.name or "").name[:200]
    row.content_type = content_type
    row.size = upload.size or 0
    row.sha256 = sha256
    for name, value in fields.items():
        setattr(row, name, value)
    row.file.save(upload.name or "upload", upload, save=True)
    return row


def accepted_suffixes(allowed: Allowed = ALL_KINDS) -> str:
    """For an <input accept="...">."""
    return ",".join(sorted(allowed))


def check_uploads(
    files: Sequence[UploadedFile[bytes]],
    *,
    max_files: int,
    max_bytes: int = MAX_BYTES,
    allowed: Allowed = ALL_KINDS,
    field: str = "attachments",
) -> list[tuple[UploadedFile[bytes], str, str]]:
    """Every file of one form checked (its type by its bytes, its size), each with its content
    type and SHA-256, before the caller writes anything: one bad file refuses them all, as an
    AppError on ``field``."""
    if len(files) > max_files:
        raise AppError(TOO_MANY_FILES, field=field, limit=max_files)
    checked = []
    for upload in files:
        try:
            checked.append((upload, *check_upload(upload, allowed, max_bytes)))
        except UploadError as exc:
            raise AppError(UPLOAD_REFUSED, field=field, reason=str(exc)) from exc
    return checked
