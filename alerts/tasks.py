"""Thin Celery tasks: they take ids and call a service. No ETA or countdown: deadlines live in
Postgres, and the sweep republishes anything the broker lost."""

from celery import shared_task

from alerts.services import delivery, sweep


@shared_task(name="alerts.tasks.deliver_message", acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_message(message_id: int) -> str:
    return delivery.deliver_message(message_id)


@shared_task(name="alerts.tasks.deliver_messages", acks_late=True, soft_time_limit=120, time_limit=150)
def deliver_messages(message_ids: list[int]) -> dict:
    return delivery.deliver_messages(message_ids)


@shared_task(name="alerts.tasks.sweep_alerts", acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_alerts() -> dict:
    return sweep.run_sweep().as_dict()
