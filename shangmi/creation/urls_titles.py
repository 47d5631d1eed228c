"""Filled in by its own module of views."""

urlpatterns: list = []
