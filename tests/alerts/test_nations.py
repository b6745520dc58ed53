"""Teams and the organisation have a nation: the team's working calendar sets when its leads must
act; the concern's nation sets the agency clocks. Frozen clocks, bank holidays from `holidays`."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.models import Organisation
from alerts.calendar import SUBDIVISION_BY_JURISDICTION, add_working_days, is_working_day
from alerts.models import CALENDAR_OF_KIND, Deadline, DeadlineState, ObligationKind
from alerts.selectors import obligation_nation
from alerts.services.deadlines import open_deadline
from consent.services import record_client_informed
from escalation.services import acknowledge_concern
from tests.factories.accounts import TeamFactory
from tests.factories.concerns import submit_test_concern

LONDON = ZoneInfo("Europe/London")
NATIONS = ("england", "wales", "scotland", "northern_ireland")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def team_in(nation: str, cast):
    """A team of that nation that the cast's clinician belongs to and the cast's lead covers."""
    team = TeamFactory(name=f"Team in {nation}", code=f"team-{nation.replace('_', '-')}", nation=nation)
    cast.clinician.teams.add(team)
    cast.lead.covered_teams.add(team)
    return team


def only_one_nation_off(day: date) -> str:
    """The nation (of the four) for which ``day`` is a bank holiday, per the holidays package."""
    off = [n for n in NATIONS if day in holidays.country_holidays("GB", subdiv=SUBDIVISION_BY_JURISDICTION[n])]
    assert len(off) == 1, f"{day} is a holiday in {off}, not in exactly one nation"
    return off[0]


# A working afternoon (16:00) before a bank holiday that only one nation observes, and the
# due time of a routine acknowledgement (4 working hours: 1 h that afternoon, 3 h on the next
# working day) for a team in that nation and for a team anywhere else.
HOLIDAY_EVES = [
    # St Andrew's Day, Monday 30 November 2026: Scotland only.
    pytest.param(local(2026, 11, 27, 16, 0), date(2026, 11, 30), id="st-andrews-day"),
    # St Patrick's Day, Tuesday 17 March 2026: Northern Ireland only.
    pytest.param(local(2026, 3, 16, 16, 0), date(2026, 3, 17), id="st-patricks-day"),
    # The summer bank holiday, Monday 3 August 2026: Scotland's (the others' is 31 August).
    pytest.param(local(2026, 7, 31, 16, 0), date(2026, 8, 3), id="scottish-summer-holiday"),
    # The Battle of the Boyne, Monday 12 July 2027: Northern Ireland only.
    pytest.param(local(2027, 7, 9, 16, 0), date(2027, 7, 12), id="battle-of-the-boyne"),
]


@pytest.mark.parametrize(("filed_at", "holiday"), HOLIDAY_EVES)
def test_the_same_concern_gets_each_teams_own_working_calendar(cast, filed_at, holiday):
    """Acceptance (nations) 1: one concern, filed by a team in each nation, the day before a
    bank holiday only one of them observes: each team's leads get their own due time."""
    off = only_one_nation_off(holiday)
    next_working_day = holiday + timedelta(days=1)
    due = {}
    for nation in NATIONS:
        team = team_in(nation, cast)
        with time_machine.travel(filed_at, tick=False):
            # The concern's nation is England for all four (a family over the border, say).
            concern = submit_test_concern(reporter=cast.clinician, team=team, urgency="routine")
        due[nation] = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN).due_at
        assert Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN).jurisdiction == nation

    for nation in NATIONS:
        expected_day = next_working_day if nation == off else holiday
        assert due[nation] == local(expected_day.year, expected_day.month, expected_day.day, 12, 0), nation


def test_a_scottish_team_acknowledges_on_scottish_days_but_tells_the_english_lado_on_english_days(
    cast,
):
    scottish = team_in("scotland", cast)
    # Friday 27 November 2026 16:00; Monday is St Andrew's Day (Scotland only).
    with time_machine.travel(local(2026, 11, 27, 16, 0), tick=False):
        concern = submit_test_concern(
            reporter=cast.clinician,
            team=scottish,
            urgency="routine",
            jurisdiction="england",
            alleged_position_of_trust="yes",
            alleged_role="foster_carer",
        )
    acknowledge = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    lado = Deadline.objects.get(concern=concern, kind=ObligationKind.LADO_TASK)
    # The team's leads are off on St Andrew's Day: 1 h on Friday, 3 h on Tuesday.
    assert acknowledge.jurisdiction == "scotland"
    assert acknowledge.due_at == local(2026, 12, 1, 12, 0)
    # The English LADO works on Monday: one English working day from Friday 16:00.
    assert lado.jurisdiction == "england"
    assert lado.due_at == local(2026, 11, 30, 16, 0)


def test_wales_tells_the_designated_officer_within_24_hours_whatever_the_team(cast):
    scottish = team_in("scotland", cast)
    with time_machine.travel(local(2026, 11, 27, 16, 0), tick=False):
        concern = submit_test_concern(
            reporter=cast.clinician,
            team=scottish,
            jurisdiction="wales",
            alleged_position_of_trust="yes",
            alleged_role="teacher",
        )
    lado = Deadline.objects.get(concern=concern, kind=ObligationKind.LADO_TASK)
    assert (lado.jurisdiction, lado.due_at) == ("wales", local(2026, 11, 28, 16, 0))


def test_a_team_without_a_nation_follows_the_organisation(cast):
    organisation = Organisation.current()
    organisation.nation = "scotland"
    organisation.save()
    assert not cast.team.nation
    with time_machine.travel(local(2026, 11, 27, 16, 0), tick=False):
        concern = submit_test_concern(reporter=cast.clinician, urgency="routine")
    deadline = Deadline.objects.get(concern=concern, kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    assert (deadline.jurisdiction, deadline.due_at) == ("scotland", local(2026, 12, 1, 12, 0))


def test_the_decision_deadline_follows_the_teams_calendar(cast):
    scottish = team_in("scotland", cast)
    concern = submit_test_concern(reporter=cast.clinician, team=scottish, urgency="routine")
    acknowledged = acknowledge_concern(actor=cast.lead, concern_id=concern.pk)
    decide = Deadline.objects.get(concern=concern, kind=ObligationKind.DECIDE_CONCERN, state=DeadlineState.OPEN)
    # Routine: one working day of the team's calendar from the acknowledgement (database time).
    assert decide.jurisdiction == "scotland"
    assert decide.due_at == add_working_days(acknowledged.acknowledged_at, 1, "scotland")

    # On a frozen clock: acknowledged on Friday 27 November 2026 at 16:00, Monday off.
    Deadline.objects.filter(pk=decide.pk).update(state=DeadlineState.CANCELLED)
    with time_machine.travel(local(2026, 11, 27, 16, 0), tick=False):
        again = open_deadline(kind=ObligationKind.DECIDE_CONCERN, concern=concern)
    assert again.due_at == local(2026, 12, 1, 16, 0)  # 1 h Friday, 7 h Tuesday


def test_a_review_date_opens_on_the_teams_working_calendar(cast):
    scottish = team_in("scotland", cast)
    concern = submit_test_concern(reporter=cast.clinician, team=scottish, jurisdiction="england")
    record_client_informed(
        actor=cast.clinician,
        concern=concern,
        status="not_told",
        reason="unsafe",
        review_on=date(2026, 11, 30),  # St Andrew's Day: the Scottish team's leads are off
    )
    review = Deadline.objects.get(concern=concern, kind=ObligationKind.CLIENT_INFORMED_REVIEW)
    assert (review.jurisdiction, review.due_at) == ("scotland", local(2026, 12, 1, 9, 0))


def test_every_obligation_says_whose_calendar_it_follows(cast):
    assert set(CALENDAR_OF_KIND) == set(ObligationKind.values)
    concern = submit_test_concern(reporter=cast.clinician, team=team_in("wales", cast), jurisdiction="scotland")
    assert obligation_nation(ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern) == "wales"
    assert obligation_nation(ObligationKind.DECIDE_CONCERN, concern=concern) == "wales"
    for agency_clock in (
        ObligationKind.LADO_TASK,
        ObligationKind.REFERRAL_RESPONSE,
        ObligationKind.WRITTEN_CONFIRMATION,
    ):
        assert obligation_nation(agency_clock, concern=concern) == "scotland"


def test_nations_and_the_calendar_agree_and_holidays_come_from_the_package():
    assert set(SUBDIVISION_BY_JURISDICTION) == set(NATIONS)
    assert not is_working_day(date(2026, 11, 30), "scotland") and is_working_day(date(2026, 11, 30), "england")


@pytest.mark.django_db
def test_the_organisation_is_one_row():
    # The migration made it (England by default); current() never makes a second.
    assert Organisation.current().nation == "england"
    assert Organisation.current().pk == 1 and Organisation.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(id=2, name="A second organisation")
