"""/health/: the database and a recently seen job worker, without a sign-in, nothing private."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shangmi.jobs.models import WorkerHeartbeat
from shangmi.jobs.workers import heartbeat_beat

pytestmark = pytest.mark.django_db


def test_it_answers_503_without_a_worker(client):
    response = client.get(reverse("home:health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "workers": 0, "status": "unavailable"}


def test_it_answers_200_once_a_worker_beats(client):
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    response = client.get("/health/")
    assert response.status_code == 200
    # States and a count only: no host name, pid or worker id reaches an anonymous caller.
    assert response.json() == {"database": "ok", "workers": 1, "status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_worker_not_seen_within_the_stale_limit_does_not_count(client, settings):
    settings.SHANGMI_WORKER_STALE_SECONDS = 30
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(seconds=31))
    assert client.get("/health/").status_code == 503


def test_it_refuses_writes(client):
    assert client.post("/health/").status_code == 405
