from celery import shared_task


@shared_task(name="audit.tasks.verify_audit_chain")
def verify_audit_chain():
    """Daily (CELERY_BEAT_SCHEDULE): verify the chain and record its head."""
    from audit.verification import verify_and_record_head

    head = verify_and_record_head()
    return {"ok": head.ok, "events_checked": head.events_checked, "last_event_id": head.last_event_id}
