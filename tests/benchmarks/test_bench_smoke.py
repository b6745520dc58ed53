"""The benchmark's data generator at a tiny scale, so it does not rot as the models change.

No timings here (benchmarks measure, tests do not): only that the generated records load,
that the concerns look like the real thing to the portal's own selectors, and that the
audit chain it computes is one verify_audit accepts.
"""

from alerts.models import Deadline
from audit.verification import verify_chain
from benchmarks import datagen
from concerns.models import OPEN_STATUSES, Concern
from concerns.selectors import concerns_visible_to
from escalation.selectors import queue_for_lead


def test_tiny_generation_loads_and_chains(db):
    people = datagen.seed_people(teams=2, clinicians_per_team=3, clients_per_team=5, log=lambda _: None)
    counts = datagen.generate(people, datagen.SCALES["tiny"], tune_load=False, log=lambda _: None)

    assert counts["concerns"] == 200
    assert Concern.objects.count() >= 200
    assert counts["persons_at_risk"] >= 200
    assert counts["deadlines"] >= 200
    assert 1_500 <= counts["audit_events"] <= 2_500

    report = verify_chain()
    assert report.ok, report.fault
    assert report.events_checked >= counts["audit_events"]

    from accounts.models import User

    lead = User.objects.get(email=people.bench_lead[1])
    assert queue_for_lead(lead).count() == Concern.objects.filter(status__in=OPEN_STATUSES).count()
    clinician = User.objects.get(email=people.clinician[1])
    assert concerns_visible_to(clinician).exists()
    assert Deadline.objects.filter(state="open").exists()

    # Each concern's copy of its codes is its links' codes, in the order the submit writes them
    # (the categories' order, then code): the queue's category filter reads the copy.
    linked: dict[int, list[tuple[int, str]]] = {}
    for concern_id, order, code in Concern.categories.through.objects.values_list(
        "concern_id", "concerncategory__order", "concerncategory__code"
    ):
        linked.setdefault(concern_id, []).append((order, code))
    copies = dict(Concern.objects.values_list("pk", "category_codes"))
    assert len(copies) >= 200 and all(copies.values())
    assert copies == {pk: [code for _, code in sorted(linked.get(pk, []))] for pk in copies}


NEXT_DUE_AS_THE_TRIGGER_KEEPS_IT = """
    SELECT c.id, c.next_due_at, c.next_due_kind, d.due_at, coalesce(d.kind, '')
      FROM concerns_concern c
      LEFT JOIN LATERAL (SELECT due_at, kind FROM alerts_deadline
                          WHERE concern_id = c.id AND state = 'open' ORDER BY due_at, id LIMIT 1) d ON true
"""


def test_a_tuned_load_leaves_each_concerns_next_deadline_as_the_trigger_would(db):
    """The tuned load turns the next-deadline trigger off (with the concern_id index dropped it
    made the load quadratic) and fills the columns in one statement after: the same values, and
    the trigger is back on for what the portal writes next."""
    from django.db import connection

    people = datagen.seed_people(teams=2, clinicians_per_team=3, clients_per_team=5, log=lambda _: None)
    datagen.generate(people, datagen.SCALES["tiny"], tune_load=True, log=lambda _: None)

    with connection.cursor() as cursor:
        cursor.execute(NEXT_DUE_AS_THE_TRIGGER_KEEPS_IT)
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'alerts_deadline'::regclass AND tgname = %s",
            [datagen.NEXT_DUE_TRIGGER],
        )
        (trigger_state,) = cursor.fetchone()
    assert len(rows) >= 200
    assert any(row[1] is not None for row in rows)
    wrong = [row for row in rows if (row[1], row[2]) != (row[3], row[4])]
    assert wrong == []
    assert trigger_state == "O"  # enabled ("origin" firing)
