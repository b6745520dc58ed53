from django.db import models


class Heartbeat(models.Model):
    """The last time a background process proved it was alive.

    Names: ``worker:<hostname>`` (each Celery worker), ``beat`` (the scheduler ticked),
    ``sweep`` (the alert sweep finished a pass). /healthz reads their ages.
    """

    name = models.CharField(max_length=200, primary_key=True)
    last_seen = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"
