"""Links put into messages: paths behind the login, never content."""

from django.urls import NoReverseMatch, reverse


def concern_link(concern) -> str:
    """The concern page when intake provides one, else the lead's queue."""
    for name in ("concerns:detail", "concerns:concern"):
        try:
            return reverse(name, kwargs={"concern_id": concern.pk})
        except NoReverseMatch:
            try:
                return reverse(name, args=[concern.pk])
            except NoReverseMatch:
                continue
    return f"/concerns/{concern.pk}/"
