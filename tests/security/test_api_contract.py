"""The API refuses what it cannot hold with a 400 and its reason, and its OpenAPI schema says
what the deposit and receipt endpoints take and answer."""

from __future__ import annotations

from typing import Any

import yaml
from rest_framework.test import APIClient

from shangmi.evidence.models import Deposit

SHA = "ab" * 32


def test_a_file_size_the_database_cannot_hold_is_a_400(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    response = api.post(
        "/api/v1/evidence/deposits/", {"title": "配方", "sha256": SHA, "file_size": 2**70}, format="json"
    )
    assert response.status_code == 400
    assert any("file size is too large" in error for error in response.json()["errors"])
    assert not Deposit.objects.exists()
    # The largest size that fits is taken.
    ok = api.post("/api/v1/evidence/deposits/", {"title": "配方", "sha256": SHA, "file_size": 2**63 - 1}, format="json")
    assert ok.status_code == 201


def _schema(client: Any, world: Any) -> dict[str, Any]:
    client.force_login(world.regulator_in)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_describes_the_deposit_endpoint(world: Any, client: Any) -> None:
    operation = _schema(client, world)["paths"]["/api/v1/evidence/deposits/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    single, batch = body["oneOf"]
    assert single["properties"]["file_size"]["maximum"] == 2**63 - 1
    assert single["properties"]["sha256"]["pattern"] == "^[0-9a-fA-F]{64}$"
    assert batch["properties"]["deposits"]["maxItems"] == 1000
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["required"] == ["receipts"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "404"}


def test_the_schema_describes_the_receipt_endpoint(world: Any, client: Any) -> None:
    paths = _schema(client, world)["paths"]
    operation = paths["/api/v1/evidence/deposits/{id}/receipt/"]["get"]
    receipt = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"format", "deposit", "digests", "commitment", "leaf", "log", "status"} <= set(receipt["required"])
    assert receipt["properties"]["status"]["enum"] == ["pending", "sequenced"]
    assert "404" in operation["responses"] and "401" in operation["responses"]
    token = paths["/api/v1/token/"]["post"]["responses"]
    assert {"200", "400", "401", "429"} <= set(token)


def test_an_unreadable_filter_is_refused_not_ignored(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    assert api.get("/api/v1/enterprises/", {"sort": "not-a-key"}).status_code == 400
    assert api.get("/api/v1/enterprises/", {"sort": "-name"}).status_code == 200


def test_an_unknown_api_url_answers_json(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    response = api.get("/api/v1/evidence/deposits/not.a.uuid/receipt/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_values_of_the_wrong_type_are_refused(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    for bad in ({"title": 123}, {"file_size": "12"}, {"file_size": 1.5}, {"file_size": True}, {"salt": 7}):
        response = api.post("/api/v1/evidence/deposits/", {"title": "配方", "sha256": SHA, **bad}, format="json")
        assert response.status_code == 400, bad
    assert not Deposit.objects.exists()
    regulator = APIClient()
    regulator.force_authenticate(world.regulator_in)
    assert regulator.get("/api/v1/enterprises/", {"liaison_point": "null"}).status_code == 400
    assert regulator.get("/api/v1/enterprises/", {"liaison_point": "true"}).status_code == 200


def test_a_malformed_page_number_is_refused(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    assert api.get("/api/v1/regions/", {"page": ""}).status_code == 404
    assert api.get("/api/v1/regions/", {"page": "x"}).status_code == 404
    assert api.get("/api/v1/regions/", {"page": "2"}).status_code == 200


def test_an_empty_level_is_refused(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    assert api.get("/api/v1/regions/", {"level": ""}).status_code == 400
    assert api.get("/api/v1/regions/", {"level": "city"}).status_code == 200


def _validator(schema: dict[str, Any], body_schema: dict[str, Any]) -> Any:
    import jsonschema

    return jsonschema.Draft7Validator({**body_schema, "components": schema["components"]})


def test_what_the_schema_allows_the_deposit_endpoint_accepts(world: Any, client: Any) -> None:
    """schemathesis's positive check, by hand: a digest or a commitment is required, and a
    commitment cannot come with half an escrow (an SM3 digest or a salt without the SHA-256)."""
    schema = _schema(client, world)
    body = schema["paths"]["/api/v1/evidence/deposits/"]["post"]["requestBody"]["content"]["application/json"]
    validator = _validator(schema, body["schema"])
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    # No body at all is refused, so the body is required.
    assert schema["paths"]["/api/v1/evidence/deposits/"]["post"]["requestBody"]["required"] is True
    assert api.post("/api/v1/evidence/deposits/").status_code == 400
    for sample in (
        {"title": "配方", "sha256": SHA},
        {"title": "配方", "commitment": SHA},
        {"file_name": "配方.docx", "sha256": SHA, "sm3": SHA, "salt": SHA},
        {"title": "配方"},
        {"file_name": "0"},
        {"title": "配方", "commitment": SHA, "sm3": SHA},
        {"title": "配方", "commitment": SHA, "salt": SHA},
        {"deposits": [{"title": "配方", "commitment": SHA}]},
        {"title": "   ", "file_name": "配方.docx", "sha256": SHA},  # spaces are no title: the file name is
        {"file_name": "长" * 300, "sha256": SHA},  # a long file name serves as a title, cut to 200
        {"title": "配方", "sha256": SHA, "version_note": "改" * 501},  # longer than its column (a 500 on PostgreSQL)
        {"title": "配方", "sha256": SHA, "file_name": "长" * 501},
    ):
        accepted = api.post("/api/v1/evidence/deposits/", sample, format="json").status_code == 201
        assert validator.is_valid(sample) == accepted, sample
    # A body with "deposits" is a batch whatever else it holds (it matched both branches of the
    # oneOf, which made it invalid, yet it was accepted).
    both = {"title": "配方", "commitment": SHA, "deposits": [{"title": "x", "sha256": SHA}]}
    assert validator.is_valid(both) and api.post("/api/v1/evidence/deposits/", both, format="json").status_code == 201


def test_what_the_schema_allows_the_enterprise_endpoint_accepts(world: Any, client: Any) -> None:
    schema = _schema(client, world)
    operation = schema["paths"]["/api/v1/enterprises/{id}/"]["patch"]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    validator = _validator(schema, operation["requestBody"]["content"]["application/json"]["schema"])
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    url = f"/api/v1/enterprises/{world.ent_in.pk}/"
    for sample in (
        {"name": "江北内部科技股份有限公司"},
        {"tags": ["high_tech"]},
        {"name": ""},
        {"name": "   "},
        {"tags": ["C"]},
    ):
        accepted = api.patch(url, sample, format="json").status_code == 200
        assert validator.is_valid(sample) == accepted, sample
    # A form body cannot say null, which the schema allows: JSON only.
    assert api.patch(url, {"park": ""}, format="multipart").status_code == 415
    industry = next(p for p in schema["paths"]["/api/v1/enterprises/"]["get"]["parameters"] if p["name"] == "industry")
    assert "C" in industry["schema"]["enum"] and api.get("/api/v1/enterprises/", {"industry": "ZZ"}).status_code == 400


def test_values_the_schema_calls_strings_or_integers_arrive_as_such(world: Any) -> None:
    """DRF turned 0 into "0" and "12" into 12: a body the schema refuses was accepted."""
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    url = f"/api/v1/enterprises/{world.ent_in.pk}/"
    for bad in (
        {"contact_phone": 0},
        {"address": 1.5},
        {"name": 7},
        {"employee_count": "12"},
        {"employee_count": True},
    ):
        assert api.patch(url, bad, format="json").status_code == 400, bad
    response = api.patch(url, {"contact_phone": "023-1", "employee_count": 12}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_phone"] == "023-1" and response.json()["employee_count"] == 12


def test_an_empty_park_filter_is_refused_as_the_schema_says(world: Any) -> None:
    # The schema says park is an integer; "park=" (a form's "any") would list every park's rows.
    api = APIClient()
    api.force_authenticate(world.regulator_in)
    for value in ("", "１", "1.0"):
        response = api.get("/api/v1/enterprises/", {"park": value})
        assert response.status_code == 400, value
        assert "park" in response.json()
    listed = api.get("/api/v1/enterprises/", {"park": world.park_in.pk})
    assert listed.status_code == 200
    assert [row["park"] for row in listed.json()["results"]] == [world.park_in.pk] * listed.json()["count"]


def test_the_schema_says_what_the_server_counts_as_text(world: Any, client: Any) -> None:
    import re

    from shangmi.core.api_schema import NO_NUL, NOT_ONLY_SPACES

    schema = _schema(client, world)
    enterprise = schema["components"]["schemas"]["Enterprise"]["properties"]
    # A NUL character is refused by the serializers (PostgreSQL cannot store it): the schema says so.
    assert enterprise["contact_phone"]["pattern"] == NO_NUL
    assert not re.search(NO_NUL, "138\x000000")
    # A title of only characters Python strips (\x1d among them) is no title.
    for blank in (" ", "\x1d", "\x85", "\u3000"):
        assert not re.search(NOT_ONLY_SPACES, blank) and not blank.strip()
    assert re.search(NOT_ONLY_SPACES, "配方")
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    refused = api.post("/api/v1/evidence/deposits/", {"title": "\x1d", "sha256": SHA}, format="json")
    assert refused.status_code == 400 and not Deposit.objects.exists()


def test_a_deposit_with_a_nul_character_is_refused(world: Any) -> None:
    # PostgreSQL cannot store a NUL; SQLite did, and the API then answered it off its own schema.
    api = APIClient()
    api.force_authenticate(world.ent_admin_in)
    for field in ("title", "file_name", "version_note", "project", "secret_point"):
        body = {"title": "配方", "sha256": SHA, field: "配\x00方"}
        response = api.post("/api/v1/evidence/deposits/", body, format="json")
        assert response.status_code == 400, field
        assert any("NUL" in error for error in response.json()["errors"])
    assert not Deposit.objects.exists()
