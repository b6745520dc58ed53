from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development only: the local SMTP sink and its mailbox. Installed when DEVTOOLS_ENABLED."""

    name = "devtools"
    verbose_name = "Development tools"
