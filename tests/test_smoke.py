def test_home_redirects_anonymous_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_regulator_sees_own_district_on_home(client, world):
    client.force_login(world.regulator_in)
    response = client.get("/")
    assert response.status_code == 200
    assert "重庆市江北区" in response.content.decode()


def test_enterprise_list_is_scoped(client, world):
    client.force_login(world.regulator_in)
    body = client.get("/enterprises/").content.decode()
    assert world.ent_in.name in body
    assert world.ent_out.name not in body
    assert client.get(f"/enterprises/{world.ent_out.pk}/").status_code == 404
    assert client.get(f"/enterprises/{world.ent_in.pk}/").status_code == 200
