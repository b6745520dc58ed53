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
