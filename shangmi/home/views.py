"""The home page: what waits for the signed-in person, whatever their role."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from shangmi.core.views import PasswordChangeRequiredMixin
from shangmi.home.dashboard import home_summary


class HomeView(PasswordChangeRequiredMixin, TemplateView):
    template_name = "home/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["summary"] = home_summary(self.request.user)
        return context
