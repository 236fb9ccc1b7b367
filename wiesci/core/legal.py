"""The pages a portal owes its readers, linked from every footer: the
editorial imprint (stopka redakcyjna, required of a Polish press title), the
contact, the terms and the privacy policy. Flat pages at fixed addresses,
created by a migration and edited in the admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

IMPRINT = "/stopka-redakcyjna/"
CONTACT = "/kontakt/"
TERMS = "/regulamin/"
PRIVACY = "/polityka-prywatnosci/"

FOOTER = [
    (IMPRINT, _("Editorial imprint")),
    (CONTACT, _("Contact")),
    (TERMS, _("Terms")),
    (PRIVACY, _("Privacy policy")),
]
