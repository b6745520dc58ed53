"""The working-day calendar: working hours in local time, bank holidays per nation.

All arithmetic happens on local wall-clock windows (e.g. 09:00-17:00 Europe/London) built
with zoneinfo, so a working hour is a working hour on either side of a clock change; the
result is an aware datetime in UTC. Elapsed durations (immediate urgency, "within 24 hours")
ignore working hours and are plain real time.

Bank holidays come from the ``holidays`` package: England and Wales share one calendar in
law but the package keeps them as subdivisions ENG and WLS; Scotland SCT; Northern Ireland NIR.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

SUBDIVISION_BY_JURISDICTION = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}
DEFAULT_JURISDICTION = "england"
WORKING_WEEKDAYS = frozenset(range(5))  # Monday (0) to Friday


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.WORKING_TIME_ZONE)


def _hours() -> tuple[time, time]:
    start = time.fromisoformat(settings.WORKING_HOURS_START)
    end = time.fromisoformat(settings.WORKING_HOURS_END)
    return start, end


@lru_cache(maxsize=64)
def _holidays_for(subdivision: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision, years=year)


def bank_holiday_name(day: date, jurisdiction: str = DEFAULT_JURISDICTION) -> str | None:
    subdivision = SUBDIVISION_BY_JURISDICTION.get(jurisdiction or DEFAULT_JURISDICTION, "ENG")
    return _holidays_for(subdivision, day.year).get(day)


def is_working_day(day: date, jurisdiction: str = DEFAULT_JURISDICTION) -> bool:
    return day.weekday() in WORKING_WEEKDAYS and bank_holiday_name(day, jurisdiction) is None


def working_window(day: date) -> tuple[datetime, datetime]:
    """The working hours of a local date as aware datetimes (right across clock changes)."""
    tz = _tz()
    start, end = _hours()
    return datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz)


def add_working_time(start: datetime, minutes: int, jurisdiction: str = DEFAULT_JURISDICTION) -> datetime:
    """``start`` plus ``minutes`` of working time; time outside working hours does not count.

    A start outside working hours counts from the next opening. Zero minutes inside working
    hours is ``start``; zero minutes outside is the next opening.
    """
    if start.tzinfo is None:
        raise ValueError("add_working_time needs an aware datetime.")
    remaining = timedelta(minutes=minutes)
    local = start.astimezone(_tz())
    day = local.date()
    # Bounded: ten years of calendar is far beyond any obligation.
    for _ in range(3660):
        if is_working_day(day, jurisdiction):
            opens, closes = working_window(day)
            cursor = max(local, opens)
            if cursor < closes:
                available = closes - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(UTC)
                remaining -= available
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tzinfo=_tz())
    raise ValueError("No working time found within ten years; check the working-day settings.")


def working_day_minutes() -> int:
    start, end = _hours()
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60


def add_working_days(start: datetime, days: int, jurisdiction: str = DEFAULT_JURISDICTION) -> datetime:
    """One working day is a full day's working hours: Monday 10:00 plus one is Tuesday 10:00."""
    return add_working_time(start, days * working_day_minutes(), jurisdiction)


def compute_due_at(start: datetime, *, minutes: int, basis: str, jurisdiction: str = DEFAULT_JURISDICTION) -> datetime:
    if basis == "elapsed":
        return (start + timedelta(minutes=minutes)).astimezone(UTC)
    return add_working_time(start, minutes, jurisdiction)


def opening_on_or_after(day: date, jurisdiction: str = DEFAULT_JURISDICTION) -> datetime:
    """The start of working hours on ``day`` or the next working day (for "due on" dates)."""
    opens, _ = working_window(day)
    return add_working_time(opens, 0, jurisdiction)
