from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "wiesci.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from wiesci.core import periodic
        from wiesci.newsletter.tasks import newsletter_round

        periodic.register(newsletter_round)
