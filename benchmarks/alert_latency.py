"""Alert latency: 1000 acknowledgement deadlines due at once, from due time to SMTP acceptance.

Real PostgreSQL (a throw-away database), Redis, a Celery worker subprocess, a sweep loop every
SWEEP_INTERVAL seconds and an aiosmtpd server on a loopback port. Writes
benchmarks/alert_latency.json and prints it.

    .venv/bin/python benchmarks/alert_latency.py [--deadlines 1000] [--interval 2]
    .venv/bin/python benchmarks/alert_latency.py --deadlines 10000 --workers 2 --beats 2

With ``--beats N`` the sweep runs as production runs it: N Celery beat processes put the sweep
on the queue every interval and the workers run it. Every worker and beat is a process group
of its own (as on separate machines), with its own node name and schedule file. The result
counts emails per alert, so a lost or doubled alert shows.

Environment: BENCH_DATABASE_NAME (default bench_alert_latency), CELERY_BROKER_URL, CELERY_QUEUE
(use numbers nobody else uses while it runs).
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings_test")
os.environ.setdefault("TEST_DATABASE_NAME", os.environ.get("BENCH_DATABASE_NAME", "bench_alert_latency"))
os.environ.setdefault("CELERY_QUEUE", "bench-alerts")


SETUP_CHUNK = 500


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlines", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=2.0, help="Sweep interval in seconds.")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "alert_latency.json"))
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes (2 threads each).")
    parser.add_argument("--beats", type=int, default=0, help="Celery beats running the sweep (0: an in-process loop).")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.db.models import F
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from accounts.roles import Role
        from alerts.models import Channel, Deadline, DutyShift, EscalationPolicy, OutboxMessage, OutboxStatus
        from audit.services import events_written_last
        from tests.factories.accounts import TeamFactory, UserFactory
        from tests.factories.clocks import make_due_concern
        from tests.support import CeleryWorker, SmtpSink, SweepLoop
        from tests.support.processes import CeleryBeat

        settings.SWEEP_INTERVAL_SECONDS = args.interval
        team = TeamFactory(name="Bench team", code="bench")
        reporter = UserFactory(roles=[Role.CLINICIAN], teams=[team])
        lead = UserFactory(roles=[Role.LEAD], teams=[team], covered_teams=[team])
        UserFactory(roles=[Role.MANAGER])
        now = timezone.now()
        DutyShift.objects.create(
            user=lead, role="lead", team=team, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
        )
        # Step 1 only (at the deadline, to the lead on duty): later steps are 30 min away.
        EscalationPolicy.objects.all().delete()

        sink = SmtpSink().start()
        process_env = {"EMAIL_URL": sink.email_url, "SWEEP_INTERVAL_SECONDS": str(args.interval)}
        processes = [CeleryWorker(process_env, name=f"bench{n}").start() for n in range(args.workers)]
        try:
            created = time.monotonic()
            # Every deadline through the real opening path, committed in chunks: one commit and
            # one hold of the audit chain lock per chunk instead of per concern.
            for start in range(0, args.deadlines, SETUP_CHUNK):
                with transaction.atomic(), events_written_last():
                    for _ in range(min(SETUP_CHUNK, args.deadlines - start)):
                        make_due_concern(team=team, reporter=reporter, urgency="routine", due_in_seconds=3600)
            setup_seconds = time.monotonic() - created
            # All due at the same moment, a few seconds after the UPDATE that says so commits: it
            # rewrites (and captures) every deadline row, which takes seconds at 10,000, and a
            # deadline the sweep cannot see yet is not late because of the sweep. The same UPDATE
            # once more, to the due time they already have, says how long it takes.
            started = time.monotonic()
            Deadline.objects.update(due_at=F("due_at"), next_fire_at=F("next_fire_at"))
            update_seconds = time.monotonic() - started
            lead_time = 5.0 + 1.5 * update_seconds
            due_at = timezone.now() + timedelta(seconds=lead_time)
            started = time.monotonic()
            Deadline.objects.update(due_at=due_at, next_fire_at=due_at)
            update_seconds = time.monotonic() - started
            emails = OutboxMessage.objects.filter(channel=Channel.EMAIL, alert__isnull=False)
            beats = [CeleryBeat(process_env, name=f"beat{n}", log=False) for n in range(args.beats)]
            sweep = SweepLoop(interval=args.interval) if not beats else contextlib.nullcontext()
            with sweep:
                for beat in beats:
                    processes.append(beat.start())
                limit = time.monotonic() + lead_time + 60 * max(10, args.deadlines // 200)
                while time.monotonic() < limit:
                    if emails.count() == args.deadlines and not emails.exclude(status=OutboxStatus.SENT).exists():
                        break
                    time.sleep(0.5)
            due = dict(emails.values_list("message_id", "alert__deadline__due_at"))
            alerted = dict(emails.values_list("message_id", "alert__created_at"))
            received = [r for r in sink.received if r.message_id in due]
            latencies = [r.received_at - due[r.message_id].timestamp() for r in received]
            # Where the time goes: from due to the sweep's alert (sweep), and from the alert to
            # SMTP acceptance (delivery).
            sweep_lags = [(alerted[m] - due[m]).total_seconds() for m in due]
            delivery_lags = [r.received_at - alerted[r.message_id].timestamp() for r in received]
            alerts_per_deadline = Counter(emails.values_list("alert__deadline_id", flat=True))
        finally:
            for process in processes:
                process.cleanup()
            sink.stop()
        result = {
            "benchmark": "alert_latency",
            "deadlines_due_at_once": args.deadlines,
            "emails_received": len(latencies),
            "sweep_interval_seconds": args.interval,
            "worker": f"{args.workers} Celery worker process(es), 2 threads each",
            "sweep": f"{args.beats} Celery beat(s), each its own process group" if args.beats else "in-process loop",
            "deadlines_alerted": len(alerts_per_deadline),
            "deadlines_alerted_twice": sum(1 for n in alerts_per_deadline.values() if n > 1),
            "emails_accepted_twice": len(received) - len({r.message_id for r in received}),
            "p50_seconds": round(statistics.median(latencies), 2),
            "p99_seconds": round(percentile(latencies, 0.99), 2),
            "max_seconds": round(max(latencies), 2),
            "alert_created_min_seconds": round(min(sweep_lags), 2),
            "alert_created_p50_seconds": round(statistics.median(sweep_lags), 2),
            "alert_created_p99_seconds": round(percentile(sweep_lags, 0.99), 2),
            "alert_created_max_seconds": round(max(sweep_lags), 2),
            "alert_to_smtp_p50_seconds": round(statistics.median(delivery_lags), 2),
            "alert_to_smtp_p99_seconds": round(percentile(delivery_lags, 0.99), 2),
            "setup_seconds": round(setup_seconds, 1),
            "due_update_seconds": round(update_seconds, 1),
            "due_after_update_seconds": round(lead_time - update_seconds, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "measured_at": timezone.now().isoformat(timespec="seconds"),
        }
    finally:
        teardown_databases(old_config, verbosity=0)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    exactly_once = not result["deadlines_alerted_twice"] and not result["emails_accepted_twice"]
    return 0 if result["emails_received"] == args.deadlines and exactly_once else 1


if __name__ == "__main__":
    raise SystemExit(main())
