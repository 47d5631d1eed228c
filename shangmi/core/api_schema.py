"""The OpenAPI schema says what the API does: every status code it answers, and the bodies of
the evidence endpoints, which take and give plain JSON rather than one model's serializer.

``add_error_responses`` (a drf-spectacular post-processing hook) declares the answers every
operation can give besides its success: 400 (bad input, with the reasons), 404 (outside the
caller's scope, or a page past the end) and, where a token is needed, 401 and 403.
"""

from __future__ import annotations

from typing import Any

# Text holds no NUL character: the serializers and the deposit service refuse it (PostgreSQL
# cannot store one).
NO_NUL = "^[^\\x00]*$"
_STR = {"type": "string", "pattern": NO_NUL}
_NULLABLE_STR = {"type": "string", "nullable": True, "pattern": NO_NUL}
_HEX64 = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}
# The largest size a database column holds (a signed 64-bit integer).
MAX_FILE_SIZE = 2**63 - 1

ERROR = {
    "type": "object",
    "description": 'Why the request was refused: {"detail": ...}, {"errors": [...]} or the reasons per field.',
    "additionalProperties": True,
}

# A character that is not a space as the server counts spaces (Python's str.strip, which also
# strips \x1c-\x1f and \x85; ECMA's \S, the schema's usual word for it, lets those through).
NOT_ONLY_SPACES = "[^\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
DEPOSIT_ITEM = {
    "type": "object",
    # Either the salted commitments (the salt derived from the enterprise's deposit key; the
    # platform keeps nothing that confirms a guess) or the digests, which escrows them.
    # A title, or a file name that serves as one; either must have a character that is not a space.
    "allOf": [
        {
            "anyOf": [
                {"required": ["title"], "properties": {"title": {"type": "string", "pattern": NOT_ONLY_SPACES}}},
                {
                    "required": ["file_name"],
                    "properties": {"file_name": {"type": "string", "pattern": NOT_ONLY_SPACES}},
                },
            ]
        },
        # The file's SHA-256 (an escrow: the SM3 and the salt may come with it), or the
        # commitment alone: an SM3 digest or a salt without the SHA-256 is half an escrow.
        {
            "anyOf": [
                {"required": ["sha256"]},
                {
                    "required": ["commitment"],
                    "properties": {
                        "sha256": {"type": "string", "enum": [""]},
                        "sm3": {"type": "string", "enum": [""]},
                        "salt": {"type": "string", "enum": [""], "nullable": True},
                    },
                },
            ]
        },
    ],
    "properties": {
        "title": {**_STR, "maxLength": 200, "description": "Required unless file_name is given."},
        "commitment": {**_HEX64, "description": "SHA-256(salt || SHA-256 of the file), computed by the enterprise."},
        "sm3_commitment": {"type": "string", "pattern": "^([0-9a-fA-F]{64})?$", "description": "SM3(salt || SM3)."},
        "sha256": {**_HEX64, "description": "SHA-256 of the file: escrows it (and the salt) with the platform."},
        "sm3": {"type": "string", "pattern": "^([0-9a-fA-F]{64})?$", "description": "SM3 of the file (optional)."},
        "file_name": {**_STR, "maxLength": 500},
        "file_size": {"type": "integer", "minimum": 0, "maximum": MAX_FILE_SIZE, "nullable": True},
        "secret_point": {**_STR, "maxLength": 200},
        "project": {**_STR, "maxLength": 200},
        "version_note": {**_STR, "maxLength": 500},
        # An empty string means none, as null does.
        "previous": {
            "anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "enum": [""]}],
            "nullable": True,
            "description": "Deposit this one updates.",
        },
        "salt": {
            "anyOf": [_HEX64, {"type": "string", "enum": [""]}],
            "nullable": True,
            "description": "The commitment's salt; drawn by the server if absent.",
        },
    },
}
DEPOSIT_REQUEST = {
    "oneOf": [
        # One deposit: a body with "deposits" is a batch (its other keys are not read), never both.
        {**DEPOSIT_ITEM, "not": {"required": ["deposits"]}},
        {
            "type": "object",
            "required": ["deposits"],
            "properties": {"deposits": {"type": "array", "items": DEPOSIT_ITEM, "minItems": 1, "maxItems": 1000}},
        },
    ]
}
RECEIPT = {
    "type": "object",
    "required": ["format", "deposit", "escrowed", "digests", "salt", "commitment", "leaf", "log", "status"],
    "properties": {
        "format": _STR,
        "deposit": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "title": _STR,
                "enterprise": {"type": "object", "properties": {"name": _STR, "uscc": _STR}},
                "depositor": _STR,
                "secret_point": _STR,
                "project": _STR,
                "version_note": {**_STR, "maxLength": 500},
                "file_name": _STR,
                "file_size": {"type": "integer", "nullable": True},
                "previous": _NULLABLE_STR,
                "accepted_at": _STR,
            },
        },
        # Null unless escrowed: the enterprise's client fills them in from the file and its key.
        "escrowed": {"type": "boolean"},
        "digests": {"type": "object", "nullable": True, "properties": {"sha256": _STR, "sm3": _NULLABLE_STR}},
        "salt": _NULLABLE_STR,
        "commitment": _STR,
        "sm3_commitment": _STR,
        "leaf": {
            "type": "object",
            # A pending deposit has no leaf yet: the sequencer sets its time, so data and hash
            # are null until it is integrated (leaf v2).
            "properties": {
                "index": {"type": "integer", "nullable": True},
                "data": _NULLABLE_STR,
                "hash": _NULLABLE_STR,
            },
        },
        "log": {"type": "object", "properties": {"origin": _STR, "public_key": _STR}},
        "inclusion": {
            "type": "object",
            "nullable": True,
            "properties": {"tree_size": {"type": "integer"}, "proof": {"type": "array", "items": _STR}},
        },
        "checkpoint": _NULLABLE_STR,
        "timestamp_token": _NULLABLE_STR,
        "status": {"type": "string", "enum": ["pending", "sequenced"]},
    },
}
RECEIPTS = {
    "type": "object",
    "required": ["receipts"],
    "properties": {"receipts": {"type": "array", "items": RECEIPT}},
}

_DESCRIPTIONS = {
    "400": "Bad input: the reasons, per field or per deposit.",
    "401": "No token, or a token that is wrong or expired.",
    "403": "Signed in, but this role may not do this (or must first change its initial password).",
    "404": "Not found, or outside the caller's scope; or a page past the end.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if method in {"post", "put"} and "requestBody" in operation:
                # A create or a replacement without a body is refused (400): the body is required.
                operation["requestBody"]["required"] = True
            responses = operation.setdefault("responses", {})
            codes = ["400", "404"]
            if any(operation.get("security") or []):
                codes += ["401", "403"]
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": ERROR}}},
                )
    return result


def forbid_null_characters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Say of every free-text field what the serializers enforce: no NUL character."""
    for component in result.get("components", {}).get("schemas", {}).values():
        for prop in component.get("properties", {}).values():
            if prop.get("type") == "string" and not {"format", "enum", "pattern"} & prop.keys():
                prop["pattern"] = NO_NUL
    return result
