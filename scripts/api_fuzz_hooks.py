"""Schemathesis hooks for scripts/api-fuzz.sh: valid requests name rows that exist.

The positive-data check (a request the schema allows must be accepted) is on. What OpenAPI
cannot say is which rows exist: a park id, a region code, a previous deposit. A generated
valid request that names one is refused with a 400 that is right. So in the requests that
schemathesis means as valid, and only there, this hook puts a park, a region and no previous
deposit that the install really has (SHANGMI_FUZZ_PARK, SHANGMI_FUZZ_REGION, read by the
script from the API); every other value stays as generated. Requests meant as invalid are left
alone: they must still be refused.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

PARK = os.environ.get("SHANGMI_FUZZ_PARK", "")
REGION = os.environ.get("SHANGMI_FUZZ_REGION", "")
# Query parameters that name a row, per path.
ROW_PARAMETERS = {
    "/api/v1/enterprises/": {"park": PARK, "region": REGION},
    "/api/v1/parks/": {"region": REGION},
    "/api/v1/regions/": {"parent": REGION},
}


def _valid(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if not _valid(case):
        return case
    path = case.operation.path
    if case.method.upper() == "GET" and case.query:
        for name, real in ROW_PARAMETERS.get(path, {}).items():
            if name in case.query:
                case.query[name] = real
    if path == "/api/v1/evidence/deposits/" and case.method.upper() == "POST" and isinstance(case.body, dict):
        items = case.body.get("deposits") if "deposits" in case.body else [case.body]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                item.pop("previous", None)  # a new deposit, not a version of one that may not exist
    return case
