"""CSV export of the trail: streamed, and safe to open in a spreadsheet."""

import csv
import json
from datetime import UTC

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return can hide such a start from a reader.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "id",
    "occurred_at_utc",
    "actor_id",
    "actor_email",
    "actor_role",
    "ip_address",
    "user_agent",
    "action",
    "subject_type",
    "subject_id",
    "subject_ref",
    "details",
    "request_id",
    "hash",
    # Readable columns after the raw ones, so a script reading the raw columns by position
    # still works: the registry's label for the code, and the details as a sentence.
    "action_label",
    "details_readable",
]


def neutralise(value) -> str:
    """The cell as text, prefixed with a single quote if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def event_row(event) -> list[str]:
    values = [
        event.id,
        event.occurred_at.astimezone(UTC).isoformat(),
        event.actor_id,
        event.actor_email,
        event.actor_role,
        event.ip_address,
        event.user_agent,
        event.action,
        event.subject_type,
        event.subject_id,
        event.subject_ref,
        json.dumps(event.details, sort_keys=True, ensure_ascii=False),
        event.request_id,
        event.hash,
        event.action_label,
        event.readable_details,
    ]
    return [neutralise(v) for v in values]


class _Line:
    """A write-only file for csv.writer that hands back each line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(events):
    """Yield the CSV text line by line: the header, then one line per event."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow(event_row(event))
