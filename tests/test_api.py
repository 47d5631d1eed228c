"""The REST API: token sign-in, the scoped enterprise registry, regions, the OpenAPI docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.utils import translation
from rest_framework.test import APIClient

from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import make_uscc


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_for(api: APIClient, username: str, password: str = "Secret-pass-2026") -> str:
    response = api.post("/api/v1/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def signed_in(api: APIClient, user: Any) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(api, user.username)}")
    return api


def test_token_auth(world: Any, api: APIClient) -> None:
    token = token_for(api, world.regulator_in.username)
    assert re.fullmatch(r"[0-9a-f]{40}", token)
    assert api.get("/api/v1/enterprises/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/enterprises/")
    assert response.status_code == 200
    # The same token again: one token per person.
    assert token_for(APIClient(), world.regulator_in.username) == token


def test_token_refused_for_a_wrong_password(world: Any, api: APIClient) -> None:
    response = api.post("/api/v1/token/", {"username": world.regulator_in.username, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "token" not in response.json()


def test_bad_token(world: Any, api: APIClient) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get("/api/v1/enterprises/").status_code == 401


def test_list_is_scoped(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    body = api.get("/api/v1/enterprises/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["uscc"] == world.ent_in.uscc
    assert row["region"] == "500105"
    assert row["region_name"] == "重庆市江北区"


def test_list_filters(world: Any, api: APIClient) -> None:
    signed_in(api, world.city_regulator)
    assert api.get("/api/v1/enterprises/", {"region": "500116"}).json()["count"] == 1
    assert api.get("/api/v1/enterprises/", {"q": world.ent_in.uscc.lower()}).json()["count"] == 1
    assert api.get("/api/v1/enterprises/", {"q": "江北内部"}).json()["results"][0]["id"] == world.ent_in.pk
    assert api.get("/api/v1/enterprises/", {"region": "500000"}).json()["count"] == 2
    # A region by name, as on the list page (江北区 is Chongqing's inside the caller's tree).
    assert api.get("/api/v1/enterprises/", {"region": "江北区"}).json()["results"][0]["id"] == world.ent_in.pk
    assert api.get("/api/v1/enterprises/", {"region": "重庆市江津区"}).json()["count"] == 1


def test_detail_is_scoped(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    assert api.get(f"/api/v1/enterprises/{world.ent_in.pk}/").json()["name"] == world.ent_in.name
    response = api.get(f"/api/v1/enterprises/{world.ent_out.pk}/")
    assert response.status_code == 404
    assert world.ent_out.name not in response.content.decode()


def test_outsider_patch_is_404(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_out)
    response = api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"name": "hijacked"}, format="json")
    assert response.status_code == 404
    world.ent_in.refresh_from_db()
    assert world.ent_in.name == "江北内部科技有限公司"


def test_update(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    response = api.patch(
        f"/api/v1/enterprises/{world.ent_in.pk}/", {"employee_count": 120, "tags": ["specialised_sme"]}, format="json"
    )
    assert response.status_code == 200, response.content
    world.ent_in.refresh_from_db()
    assert world.ent_in.employee_count == 120
    assert [t.code for t in world.ent_in.tags.all()] == ["specialised_sme"]


def test_staff_cannot_patch_and_admin_can(world: Any, api: APIClient) -> None:
    signed_in(api, world.ent_staff_in)
    assert api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"address": "x"}, format="json").status_code == 404
    signed_in(api, world.ent_admin_in)
    assert api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"address": "x"}, format="json").status_code == 200


def test_moving_out_of_scope_by_patch_is_refused(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    response = api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"region": "500116", "park": None}, format="json")
    assert response.status_code in (400, 403, 404)
    world.ent_in.refresh_from_db()
    assert world.ent_in.region_id == "500105"


def new_enterprise(region: str = "500105", serial: int = 77, **extra: Any) -> dict[str, Any]:
    return {"name": "新建科技有限公司", "uscc": make_uscc(region, serial), "region": region, **extra}


def test_create(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    response = api.post("/api/v1/enterprises/", new_enterprise(park=world.park_in.pk), format="json")
    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(pk=response.json()["id"])
    assert created.region_id == "500105" and created.park == world.park_in


def test_create_normalises_the_code(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    data = new_enterprise()
    data["uscc"] = " " + data["uscc"].lower()
    response = api.post("/api/v1/enterprises/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == make_uscc("500105", 77)


def test_create_in_another_district_is_refused(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    before = Enterprise.objects.count()
    response = api.post("/api/v1/enterprises/", new_enterprise("500116"), format="json")
    assert response.status_code in (400, 403)
    assert Enterprise.objects.count() == before
    assert not Enterprise.objects.filter(uscc=make_uscc("500116", 77)).exists()


@pytest.mark.parametrize("user", ["ent_admin_in", "ent_staff_in", "officer_in", "park_operator_in", "expert"])
def test_create_refused_to_roles_without_add(world: Any, api: APIClient, user: str) -> None:
    signed_in(api, getattr(world, user))
    before = Enterprise.objects.count()
    response = api.post("/api/v1/enterprises/", new_enterprise(), format="json")
    assert response.status_code in (400, 403)
    assert Enterprise.objects.count() == before


def test_create_with_a_park_outside_is_refused(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    response = api.post("/api/v1/enterprises/", new_enterprise(park=world.park_out.pk), format="json")
    assert response.status_code == 400
    assert "park" in response.json()


def test_bad_uscc_gives_the_reason(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    data = new_enterprise()
    data["uscc"] = data["uscc"][:17] + ("0" if data["uscc"][17] != "0" else "1")
    response = api.post("/api/v1/enterprises/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    (reason,) = response.json()["uscc"]
    assert "check character (position 18)" in reason
    short = api.post("/api/v1/enterprises/", {**data, "uscc": "123"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert short.status_code == 400
    chinese = api.post("/api/v1/enterprises/", {**data, "uscc": "123"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "18" in " ".join(chinese.json()["uscc"])
    assert "18 characters" in " ".join(short.json()["uscc"])


def test_duplicate_uscc(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    response = api.post("/api/v1/enterprises/", {**new_enterprise(), "uscc": world.ent_in.uscc}, format="json")
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_no_delete(world: Any, api: APIClient) -> None:
    signed_in(api, world.admin)
    assert api.delete(f"/api/v1/enterprises/{world.ent_in.pk}/").status_code == 405
    assert Enterprise.objects.filter(pk=world.ent_in.pk).exists()


def test_regions(world: Any, api: APIClient) -> None:
    signed_in(api, world.ent_staff_out)
    detail = api.get("/api/v1/regions/500105/").json()
    assert detail == {
        "code": "500105",
        "name": "江北区",
        "full_name": "重庆市江北区",
        "level": "district",
        "parent": "500000",
    }
    listing = api.get("/api/v1/regions/").json()
    assert listing["count"] == 3218
    children = api.get("/api/v1/regions/", {"parent": "500000"}).json()
    codes = {row["code"] for row in children["results"]}
    assert {"500105", "500116"} <= codes
    assert all(row["parent"] == "500000" for row in children["results"])
    assert api.get("/api/v1/regions/", {"level": "province"}).json()["count"] == 34
    assert api.get("/api/v1/regions/999999/").status_code == 404


def test_parks_are_scoped(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    assert [row["name"] for row in api.get("/api/v1/parks/").json()["results"]] == [world.park_in.name]
    assert api.get(f"/api/v1/parks/{world.park_out.pk}/").status_code == 404


def test_openapi_schema(world: Any, client: Any) -> None:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/enterprises/" in schema["paths"]
    # A region is found by its code, typed as the model's code field (no "could not derive" guess).
    (code,) = schema["paths"]["/api/v1/regions/{code}/"]["get"]["parameters"]
    assert code["name"] == "code" and code["schema"]["type"] == "string"
    listed = {p["name"] for p in schema["paths"]["/api/v1/enterprises/"]["get"]["parameters"]}
    assert {"q", "region", "park", "tag", "liaison_point", "sort", "page"} <= listed
    assert "/api/v1/enterprises/{id}/" in schema["paths"]
    assert "/api/v1/regions/" in schema["paths"]
    json_schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert json_schema.status_code == 200


def test_docs_page_is_served_locally(world: Any, client: Any) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert not re.search(r"""(src|href)=["']?https?://""", html), "the docs page loads assets from a CDN"
    assert not re.search(r"https?://(cdn|unpkg|fastly|cdnjs)", html)
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))""", html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "500116"),
        ("region", "500105"),
        ("uscc", "ENT_OUT_SERIAL"),
        ("is_liaison_point", False),
        ("liaison_officer", None),
    ],
)
def test_enterprise_admin_cannot_change_bureau_fields(world: Any, api: APIClient, field: str, value: Any) -> None:
    """As on the edit page: the code, the region, the park and the liaison status are the bureau's."""
    if value == "ENT_OUT_SERIAL":
        value = make_uscc("500105", 999)
    signed_in(api, world.ent_admin_in)
    before = Enterprise.objects.filter(pk=world.ent_in.pk).values().get()
    data = {field: value, "park": None} if field == "region" else {field: value}
    if field == "region" and value == "500105":
        data = {"region": "500116"}
    response = api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", data, format="json")
    assert response.status_code in (200, 400, 403)
    after = Enterprise.objects.filter(pk=world.ent_in.pk).values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert Enterprise.objects.restrict(world.regulator_in).filter(pk=world.ent_in.pk).exists()


def test_api_changes_are_recorded_with_who(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    api.patch(f"/api/v1/enterprises/{world.ent_in.pk}/", {"employee_count": 7}, format="json")
    latest = world.ent_in.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.regulator_in
    response = api.post("/api/v1/enterprises/", new_enterprise(), format="json")
    created = Enterprise.objects.get(pk=response.json()["id"])
    assert created.history.get().history_user == world.regulator_in


def test_token_endpoint_is_locked_out_too(world: Any, api: APIClient) -> None:
    username = world.regulator_in.username
    for _ in range(5):
        api.post("/api/v1/token/", {"username": username, "password": "wrong-password-1"}, format="json")
    response = api.post("/api/v1/token/", {"username": username, "password": "Secret-pass-2026"}, format="json")
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_new_account_must_change_password_before_using_the_api(world: Any, api: APIClient) -> None:
    world.officer_in.must_change_password = True
    world.officer_in.save()
    signed_in(api, world.officer_in)
    assert api.get("/api/v1/enterprises/").status_code == 403
    assert api.get("/api/v1/regions/500105/").status_code == 403


def test_duplicate_uscc_typed_differently(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    before = Enterprise.objects.count()
    for typed in (world.ent_in.uscc.lower(), " ".join([world.ent_in.uscc[:9], world.ent_in.uscc[9:]])):
        response = api.post("/api/v1/enterprises/", {**new_enterprise(), "uscc": typed}, format="json")
        assert response.status_code == 400, typed
        assert "uscc" in response.json()
    assert Enterprise.objects.count() == before


def test_create_with_a_spaced_code(world: Any, api: APIClient) -> None:
    signed_in(api, world.regulator_in)
    code = make_uscc("500105", 77)
    response = api.post(
        "/api/v1/enterprises/", {**new_enterprise(), "uscc": f"{code[:6]} {code[6:12]} {code[12:]}"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == code
