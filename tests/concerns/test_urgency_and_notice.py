"""Urgency in the policies' own words, the immediate-danger rule, and who was actually told."""

from django.urls import reverse

from accounts.roles import Role
from alerts.models import EscalationPolicy
from concerns.models import Concern
from tests.factories.accounts import TeamFactory, UserFactory
from tests.factories.concerns import intake_form_data

NEW = reverse("concerns:new")


def urgency_help(client) -> str:
    html = client.get(NEW + "?new=1").content.decode()
    return html.split('id="div_id_urgency"', 1)[1].split("</fieldset>", 1)[0]


def test_the_urgency_help_states_the_times_of_the_policies_in_force(client, cast):
    client.force_login(cast.clinician)
    help_text = urgency_help(client)
    assert "acknowledge it within 15 minutes, at any hour" in help_text
    assert "acknowledge it within 1 working hour" in help_text  # same day
    assert "acknowledge it within 4 working hours" in help_text  # routine

    EscalationPolicy.objects.filter(kind="acknowledge_concern", urgency="immediate", jurisdiction="").update(
        duration_minutes=10
    )
    EscalationPolicy.objects.filter(kind="acknowledge_concern", urgency="routine", jurisdiction="").update(
        duration_minutes=8 * 60
    )
    help_text = urgency_help(client)
    assert "acknowledge it within 10 minutes, at any hour" in help_text
    assert "acknowledge it within 1 working day" in help_text
    assert "15 minutes" not in help_text


def test_immediate_danger_makes_the_concern_immediate(client, cast):
    client.force_login(cast.clinician)
    data = intake_form_data(None, immediate_danger="yes", emergency_action="999", urgency="same_day")
    response = client.post(NEW, data)
    concern = Concern.objects.get()
    assert concern.urgency == "immediate"
    page = client.get(response["Location"]).content.decode()
    assert "Because someone is in immediate danger, it is treated as immediate." in page
    assert "acknowledge it within 15 minutes, at any hour" in page


def test_the_clinician_can_record_why_danger_is_not_immediate(client, cast):
    client.force_login(cast.clinician)
    reason = "The police are already there and he has been arrested."
    data = intake_form_data(
        None, immediate_danger="yes", emergency_action="999", urgency="same_day", not_immediate_reason=reason
    )
    client.post(NEW, data)
    concern = Concern.objects.get()
    assert (concern.urgency, concern.not_immediate_reason) == ("same_day", reason)


def test_the_after_submit_page_names_who_was_actually_told_and_by_when(client, cast):
    client.force_login(cast.clinician)
    response = client.post(NEW, intake_form_data(None))
    page = client.get(response["Location"]).content.decode()
    told = page.split('class="who-was-told"', 1)[1].split("</li>", 1)[0]
    assert "Leah Lead" in told and "Dev Deputy" in told
    assert "Mina Manager" not in told
    assert "A lead must acknowledge it by" in page


def test_a_team_nobody_covers_names_the_people_its_alert_fell_back_to(client, cast):
    lonely = TeamFactory(name="Outreach", code="outreach")
    reporter = UserFactory(email="otto@example.test", full_name="Otto Outreach", roles=[Role.CLINICIAN], teams=[lonely])
    client.force_login(reporter)
    response = client.post(NEW, intake_form_data(None))
    page = client.get(response["Location"]).content.decode()
    told = page.split('class="who-was-told"', 1)[1].split("</li>", 1)[0]
    assert "Leah Lead" not in told
    assert "Mina Manager" in told


def test_the_leads_email_states_the_policys_real_due_time(client, cast):
    from django.utils import timezone

    from alerts.models import Deadline, OutboxMessage

    client.force_login(cast.clinician)
    client.post(NEW, intake_form_data(None, immediate_danger="yes", emergency_action="999", urgency="routine"))
    concern = Concern.objects.get()
    deadline = Deadline.objects.get(concern=concern, kind="acknowledge_concern")
    # Danger "yes" made it immediate: 15 minutes at any hour, whatever the clock says.
    assert (deadline.due_at - concern.submitted_at).total_seconds() == 15 * 60
    email = OutboxMessage.objects.filter(channel="email", recipient=cast.lead).get()
    assert f"{timezone.localtime(deadline.due_at):%H:%M on %a %d %b %Y}" in email.body
