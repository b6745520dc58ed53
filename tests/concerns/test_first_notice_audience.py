"""A new concern's first notice reads its audience in one statement (alerts.selectors.
first_notice_audience). It must choose exactly as the chain does for a concern nobody owns
(audience_for with the duty leads): the same people, in the same order, from the same level."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Role
from alerts.models import DutyShift, Leave, RecipientRole
from alerts.selectors import AudienceSource, audience_for, first_notice_audience
from tests.factories.accounts import UserFactory

HOUR = timedelta(hours=1)


def _shift(user, team, now):
    DutyShift.objects.create(user=user, role="lead", team=team, starts_at=now - HOUR, ends_at=now + HOUR)


def _away(user, now):
    Leave.objects.create(user=user, starts_at=now - HOUR, ends_at=now + HOUR)


def _same_choice(team, now, excluded=()):
    chain = audience_for(recipients=RecipientRole.DUTY_LEADS, team=team, at=now, excluded=excluded)
    one = first_notice_audience(team=team, at=now, excluded=excluded)
    assert [p.pk for p in one.people] == [p.pk for p in chain.people]
    assert (one.source, one.on_leave, one.excluded) == (chain.source, chain.on_leave, chain.excluded)
    return one


@pytest.mark.django_db
def test_the_team_leads_when_nobody_is_on_the_rota(cast):
    audience = _same_choice(cast.team, timezone.now())
    assert audience.source == AudienceSource.TEAM_LEADS
    assert {p.pk for p in audience.people} == {cast.lead.pk, cast.deputy.pk}


@pytest.mark.django_db
def test_the_rota_first_and_a_shift_for_every_team_counts_once(cast):
    now = timezone.now()
    _shift(cast.deputy, cast.team, now)
    _shift(cast.deputy, None, now)  # a shift without a team, of someone covering this one
    wide = UserFactory(full_name="Aled Everywhere", roles=[Role.LEAD], covers_all_teams=True)
    _shift(wide, None, now)
    _shift(cast.lead_other_team, cast.other_team, now)
    audience = _same_choice(cast.team, now)
    assert audience.source == AudienceSource.ROTA
    assert [p.pk for p in audience.people] == [wide.pk, cast.deputy.pk]


@pytest.mark.django_db
def test_leave_and_exclusions_move_down_the_chain(cast):
    now = timezone.now()
    _shift(cast.deputy, cast.team, now)
    _away(cast.deputy, now)  # on the rota but away: the team's leads, without them
    audience = _same_choice(cast.team, now)
    assert audience.source == AudienceSource.TEAM_LEADS and [p.pk for p in audience.people] == [cast.lead.pk]
    # The lead is the one the concern is about: nobody else covers the team, so the managers.
    audience = _same_choice(cast.team, now, excluded={cast.lead.pk})
    assert audience.source == AudienceSource.MANAGERS and [p.pk for p in audience.people] == [cast.manager.pk]


@pytest.mark.django_db
def test_the_allegations_manager_and_then_people_on_leave(cast):
    now = timezone.now()
    named = UserFactory(full_name="Nia Named", roles=[Role.CLINICIAN])
    Organisation.objects.update_or_create(pk=Organisation.SINGLETON_ID, defaults={"allegations_manager": named})
    everyone = {cast.lead.pk, cast.deputy.pk, cast.manager.pk}
    audience = _same_choice(cast.team, now, excluded=everyone)
    assert audience.source == AudienceSource.ALLEGATIONS_MANAGER and audience.people == [named]
    for person in (cast.lead, cast.deputy, cast.manager, named):
        _away(person, now)
    # Everyone permitted is away: the first level with anyone in it hears, leave or not.
    audience = _same_choice(cast.team, now)
    assert audience.source == AudienceSource.TEAM_LEADS and audience.on_leave
