from django.conf import settings
from django.db import models


class Client(models.Model):
    """A person a team works with. Only a local reference is required; a name is optional."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    reference = models.CharField(max_length=60, help_text="The team's own client reference.")
    display_name = models.CharField(max_length=150, blank=True, help_text="Optional.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["team", "reference"], name="consent_client_unique_ref_per_team"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        """How the client is shown where a name is not needed."""
        return f"Client {self.reference}"
