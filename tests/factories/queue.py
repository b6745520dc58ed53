"""The concerns the queue's variants are tried on: what each filter, order and search must find,
and two concerns the lead must never learn of."""

from dataclasses import dataclass
from datetime import timedelta

import time_machine
from django.utils import timezone

from concerns.models import Concern
from escalation import services
from tests.factories.concerns import submit_test_concern
from tests.factories.consent import ClientFactory
from tests.factories.workflow import acknowledged

SUSPECT = "Jonathan Smithers"


@dataclass
class World:
    immediate: Concern  # England, not acknowledged, a client, alleged person SUSPECT
    welsh: Concern  # Wales, acknowledged by the lead (who owns it)
    rated: Concern  # Scotland, triaged "high", assigned to the deputy, overdue referral response
    closed: Concern  # closed five days ago
    about_lead: Concern  # the lead is the alleged person: hidden from them
    other_team: Concern  # a team the lead does not cover: hidden

    @property
    def hidden(self):
        return [self.about_lead, self.other_team]


def suspect(**extra):
    return [dict(identity="known", name=SUSPECT, **extra)]


def queue_world(cast) -> World:
    """Six concerns for the queue's filters, orders and search (see World), in ``cast``'s teams."""
    client_record = ClientFactory(team=cast.team, reference="C-4471", created_by=cast.clinician)
    immediate = submit_test_concern(
        reporter=cast.clinician,
        urgency="immediate",
        client=client_record,
        alleged_persons=suspect(),
        categories=("child-physical",),
    )
    welsh = acknowledged(
        submit_test_concern(
            reporter=cast.other_clinician, urgency="routine", jurisdiction="wales", categories=("wales-physical",)
        ),
        by=cast.lead,
    )
    rated = acknowledged(
        submit_test_concern(reporter=cast.clinician, jurisdiction="scotland", categories=("scotland-physical-harm",)),
        by=cast.deputy,
    )
    services.record_triage(
        actor=cast.deputy,
        concern_id=rated.pk,
        expected_status="acknowledged",
        risk_rating="high",
        rating_rationale="Ongoing contact with the children.",
    )
    services.record_referral(
        actor=cast.deputy,
        concern_id=rated.pk,
        expected_status="triaged",
        agency="childrens_social_care",
        area="Glasgow",
        method="email",
        referred_at=timezone.now() - timedelta(days=4),
        response_due_at=timezone.now() - timedelta(days=2),
    )
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        closed = acknowledged(submit_test_concern(reporter=cast.clinician, urgency="routine"), by=cast.lead)
        closed_status = Concern.objects.get(pk=closed.pk).status
        services.close_concern(
            actor=cast.lead,
            concern_id=closed.pk,
            expected_status=closed_status,
            outcome="no_further_action",
            rationale="Advice given; nothing more to do.",
        )
    about_lead = submit_test_concern(
        reporter=cast.clinician,
        urgency="immediate",
        client=client_record,
        alleged_persons=suspect(staff_member=cast.lead),
        categories=("child-physical",),
    )
    other_team = submit_test_concern(
        reporter=cast.clinician_other_team,
        urgency="immediate",
        alleged_persons=suspect(),
        categories=("child-physical",),
    )
    return World(
        immediate=immediate,
        welsh=welsh,
        rated=Concern.objects.get(pk=rated.pk),
        closed=Concern.objects.get(pk=closed.pk),
        about_lead=about_lead,
        other_team=other_team,
    )
