"""Issue 6 acceptance 5 (acknowledgement racing the sweep) and 6 (clock changes, bank holidays)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from alerts.calendar import add_working_days, add_working_time, is_working_day
from alerts.models import Alert, Deadline, ObligationKind
from alerts.services.deadlines import open_deadline
from alerts.services.sweep import run_sweep
from escalation.services import acknowledge_concern
from tests.factories.clocks import make_concern, make_due_concern


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_acknowledgement_racing_the_sweep_never_leaves_an_alert_after_it(cast):
    rounds = 200
    start = threading.Barrier(3)
    done = threading.Barrier(3)
    job = {}
    errors = []

    def acknowledger():
        try:
            for _ in range(rounds):
                start.wait(timeout=30)
                acknowledge_concern(actor=cast.lead, concern_id=job["concern_id"])
                done.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
            start.abort()
            done.abort()
        finally:
            connections.close_all()

    def sweeper():
        try:
            for _ in range(rounds):
                start.wait(timeout=30)
                run_sweep()
                done.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
            start.abort()
            done.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=acknowledger), threading.Thread(target=sweeper)]
    for t in threads:
        t.start()
    swept_first = 0
    # Prepared beforehand (not yet due), so each round is only the race itself.
    prepared = [make_due_concern(team=cast.team, reporter=cast.clinician, due_in_seconds=3600) for _ in range(rounds)]
    for concern, deadline in prepared:
        Deadline.objects.filter(pk=deadline.pk).update(next_fire_at=deadline.due_at - timedelta(hours=2))
        job["concern_id"] = concern.pk
        start.wait(timeout=60)  # release both threads together
        done.wait(timeout=60)
        concern.refresh_from_db()
        alerts = list(Alert.objects.filter(deadline=deadline))
        # An alert is decided before the acknowledgement commits, or never.
        assert all(a.created_at < concern.acknowledged_at for a in alerts), (alerts, concern.acknowledged_at)
        assert len(alerts) <= 1
        swept_first += len(alerts)
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    # And nothing after it, whatever the sweep does next: make every acknowledgement step due
    # again. (Each acknowledgement opened a "decide" deadline of its own, which may alert.)
    acknowledgements = Alert.objects.filter(deadline__kind=ObligationKind.ACKNOWLEDGE_CONCERN)
    alerts_before = acknowledgements.count()
    Deadline.objects.filter(kind=ObligationKind.ACKNOWLEDGE_CONCERN).update(
        next_fire_at=timezone.now() - timedelta(hours=3)
    )
    run_sweep()
    assert acknowledgements.count() == alerts_before
    print(f"\nsweep won the race {swept_first} of {rounds} times")


# --- Acceptance 6: the working-day calendar -------------------------------------------------


def test_working_hours_across_the_spring_clock_change_england():
    # Friday 27 March 2026 16:30 GMT; clocks go forward on Sunday 29 March.
    friday = utc(2026, 3, 27, 16, 30)
    # 4 working hours: 30 min on Friday, 3 h 30 on Monday from 09:00 BST = 12:30 BST = 11:30 UTC.
    assert add_working_time(friday, 240, "england") == utc(2026, 3, 30, 11, 30)


def test_working_hours_across_the_autumn_clock_change_scotland():
    # Friday 23 October 2026 16:00 BST (15:00 UTC); clocks go back on Sunday 25 October.
    friday = utc(2026, 10, 23, 15, 0)
    # 1 working day = 8 working hours: 1 h on Friday, 7 h on Monday from 09:00 GMT = 16:00 GMT.
    assert add_working_days(friday, 1, "scotland") == utc(2026, 10, 26, 16, 0)


def test_bank_holidays_differ_by_nation():
    st_andrews = date(2026, 11, 30)  # a Monday: a holiday in Scotland only
    assert not is_working_day(st_andrews, "scotland")
    assert is_working_day(st_andrews, "england")
    second_january = date(2026, 1, 2)  # a Friday: a holiday in Scotland only
    assert not is_working_day(second_january, "scotland")
    assert is_working_day(second_january, "england")
    easter_monday = date(2026, 4, 6)  # England and Wales, not Scotland
    assert not is_working_day(easter_monday, "england")
    assert not is_working_day(easter_monday, "wales")
    assert is_working_day(easter_monday, "scotland")
    assert not is_working_day(date(2026, 3, 17), "northern_ireland")  # St Patrick's Day


def test_working_day_over_st_andrews_day():
    friday = utc(2026, 11, 27, 10, 0)  # GMT
    # England: Monday 30 Nov 10:00. Scotland: Monday is St Andrew's Day, so Tuesday 1 Dec 10:00.
    assert add_working_days(friday, 1, "england") == utc(2026, 11, 30, 10, 0)
    assert add_working_days(friday, 1, "scotland") == utc(2026, 12, 1, 10, 0)


def test_new_year_in_scotland_and_england():
    eve = utc(2026, 12, 31, 16, 0)  # Thursday 31 Dec 2026, 16:00 GMT
    # 2 working hours. England: 1 h on the 31st; Friday 1 Jan is a holiday and 2 Jan a
    # Saturday, so the second hour is Monday 4 January 09:00-10:00.
    assert add_working_time(eve, 120, "england") == utc(2027, 1, 4, 10, 0)
    # Scotland: 2 January is a holiday too; in 2027 it falls on a Saturday, so Monday
    # 4 January is the substitute day and the second hour is Tuesday 5 January.
    assert add_working_time(eve, 120, "scotland") == utc(2027, 1, 5, 10, 0)


@pytest.mark.django_db
def test_deadlines_opened_over_a_clock_change_and_a_bank_holiday(cast):
    # The acknowledgement follows the team's working calendar (a Scottish team).
    cast.team.nation = "scotland"
    cast.team.save(update_fields=["nation"])
    concern = make_concern(
        team=cast.team,
        reporter=cast.clinician,
        urgency="routine",
        jurisdiction="scotland",
        submitted_at=utc(2026, 11, 27, 16, 0),
    )
    deadline = open_deadline(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=concern)
    # Routine: 4 working hours from Friday 16:00: 1 h Friday, Monday is St Andrew's Day, 3 h Tuesday.
    assert deadline.due_at == utc(2026, 12, 1, 12, 0)
    assert deadline.next_fire_at == deadline.due_at

    with time_machine.travel(utc(2026, 3, 29, 0, 50), tick=False):
        # Immediate urgency ignores working hours: 15 real minutes, across 01:00 GMT -> 02:00 BST.
        urgent = make_concern(
            team=cast.team, reporter=cast.clinician, urgency="immediate", submitted_at=utc(2026, 3, 29, 0, 50)
        )
        urgent_deadline = open_deadline(kind=ObligationKind.ACKNOWLEDGE_CONCERN, concern=urgent)
        assert urgent_deadline.due_at == utc(2026, 3, 29, 1, 5)  # 02:05 BST
        # A LADO task, opened on the Sunday of the change: one working day (England) is a full
        # day's working hours, Monday 09:00 to 17:00 BST; Wales counts 24 real hours.
        lado_england = open_deadline(
            kind=ObligationKind.LADO_TASK, concern=urgent, subject=urgent.team, jurisdiction="england"
        )
        assert lado_england.due_at == utc(2026, 3, 30, 16, 0)
        lado_wales = open_deadline(
            kind=ObligationKind.LADO_TASK, concern=urgent, subject=cast.administrator, jurisdiction="wales"
        )
        assert lado_wales.due_at == utc(2026, 3, 30, 0, 50)
