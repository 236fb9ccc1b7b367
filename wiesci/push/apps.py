from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    name = "wiesci.push"
    label = "push"
    verbose_name = _("Breaking-news notifications")

    def ready(self) -> None:
        from django.core import checks

        from wiesci.articles.signals import article_changed
        from wiesci.core import periodic
        from wiesci.core.actors import WORKER
        from wiesci.push import receivers, services
        from wiesci.push.checks import check_vapid_key

        def resume_broadcasts() -> None:
            services.resume_stalled_broadcasts(by=WORKER)

        article_changed.connect(receivers.on_article_changed, dispatch_uid="push")
        periodic.register(resume_broadcasts)
        checks.register(check_vapid_key)
