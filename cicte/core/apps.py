from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _prepare_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The audit table's triggers ask the connection whether the trail is locked: always, but in
    the test settings, which must flush their databases between tests."""
    unlocked = bool(getattr(settings, "AUDIT_TRAIL_UNLOCKED", False))
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "cicte_audit_locked",
            0,
            lambda: 0 if getattr(settings, "AUDIT_TRAIL_UNLOCKED", False) else 1,
        )
    elif connection.vendor == "postgresql" and unlocked:
        with connection.connection.cursor() as cursor:
            cursor.execute("SET cicte.audit_unlock = 'on'")


class CoreConfig(AppConfig):
    name = "cicte.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from cicte.core import checks  # noqa: F401

        connection_created.connect(
            _prepare_connection, dispatch_uid="cicte.core.prepare_connection"
        )
