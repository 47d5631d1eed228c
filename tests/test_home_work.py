"""The home page shows each role its own work: the judicial liaison the transfers awaiting
their receipt and the organ's decision, the liaison officer the applications and survey
answers of the enterprises assigned to them (which they read and cannot change)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from shangmi.enforcement.models import Transfer
from shangmi.enforcement.services import transfer_receipt
from tests.test_scope_walk import _application, _survey, _transfer


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_judicial_liaison_home_lists_transfers_awaiting_them(world, client, tmp_media) -> None:
    call_command("load_enforcement_rules", stdout=io.StringIO())
    transfer = _transfer(world, world.regulator_in, "in")
    _transfer(world, world.regulator_out, "out")  # sent to someone else: not theirs
    _en(client).force_login(world.judicial)
    page = client.get(reverse("home:home")).content.decode()
    assert "Transfers to you" in page and "Sign the receipt" in page
    assert transfer.get_absolute_url() in page and transfer.case.party in page
    assert "Transfers waiting for your receipt" in page
    assert Transfer.objects.exclude(receiver=world.judicial).get().case.party not in page

    transfer_receipt(user=world.judicial, transfer=transfer)
    transfer.refresh_from_db()
    page = client.get(reverse("home:home")).content.decode()
    assert "Sign the receipt" not in page and "Record the organ&#x27;s decision" in page
    assert transfer.organ_decide_by.isoformat() in page


def test_the_officer_reads_the_applications_and_surveys_of_their_enterprises(world, client, tmp_media) -> None:
    application = _application(world, world.ent_admin_in, "in")
    survey = _survey(world, world.ent_admin_in, "in")
    _en(client).force_login(world.officer_in)
    assert client.get(application.get_absolute_url()).status_code == 200
    assert application.applicant_name in client.get(reverse("creation:application_list")).content.decode()
    assert client.get(reverse("creation:application_assess", args=[application.pk])).status_code == 404
    assert client.post(reverse("creation:application_submit", args=[application.pk])).status_code == 404
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert world.ent_in.name in page and 'data-testid="followed-assignments"' in page
    home = client.get(reverse("home:home")).content.decode()
    assert "Applications of your enterprises" in home
    # The other district's officer reads none of it.
    client.force_login(world.officer_out)
    assert client.get(application.get_absolute_url()).status_code == 404
    assert client.get(reverse("surveys:survey_detail", args=[survey.pk])).status_code == 404


def test_the_empty_survey_list_speaks_to_its_reader(world, client) -> None:
    """'Your enterprise has not received a survey' is for an enterprise's people alone."""
    enterprise_line = "Your enterprise has not been asked to answer a survey."
    for user, expected in (
        (world.ent_staff_in, enterprise_line),
        (world.officer_in, "None of the enterprises assigned to you has been asked to answer a survey."),
        (world.judicial, "No survey concerns you."),
        (world.expert, "No survey concerns you."),
        (world.park_operator_in, "No survey concerns you."),
    ):
        _en(client).force_login(user)
        page = client.get(reverse("surveys:survey_list")).content.decode()
        assert expected in page, user.username
        if expected != enterprise_line:
            assert enterprise_line not in page, user.username
