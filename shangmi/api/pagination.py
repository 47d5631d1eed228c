"""Page numbers as the schema says: an integer. DRF reads an empty or missing one as page 1
and would answer a malformed request as if it were well formed."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request: Any, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not re.fullmatch(r"-?[0-9]+", raw):
            raise NotFound("Invalid page. / 页码无效。")
        return super().get_page_number(request, paginator)
