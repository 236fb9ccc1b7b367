from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wiesci.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from wiesci.core.replicas import watch_writes

        # Every connection to the primary, in requests, commands, the task
        # worker and the scheduler alike, records where its writes reach.
        connection_created.connect(watch_writes, dispatch_uid="wiesci.replicas")
