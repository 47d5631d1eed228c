from django.urls import path  # noqa: F401

from shangmi.creation import urls_queue, urls_titles

app_name = "creation"
urlpatterns: list = [*urls_queue.urlpatterns, *urls_titles.urlpatterns]
