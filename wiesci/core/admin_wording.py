"""Django admin messages the product words itself.

Django's Polish catalogue writes these with every grammatical gender at once
("{name} „{obj}” został(a)(-ło) dodany(-na)(-ne) pomyślnie"), because the
model's name may be of any gender. The product's catalogue comes first
(LOCALE_PATHS), so naming the messages here gives them a wording that needs
no gender ("Dodano: artykuł „…”."). Never called: makemessages reads them.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop(
        "The {name} “{obj}” was added successfully. You may add another {name} below."
    ),
    gettext_noop(
        "The {name} “{obj}” was changed successfully. You may edit it again below."
    ),
    gettext_noop(
        "The {name} “{obj}” was changed successfully. You may add another {name} below."
    ),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related "
        "objects, but your account doesn't have permission to delete the "
        "following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of "
        "the following objects and their related items will be deleted:"
    ),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("In case you’ve forgotten, you are:"),
]
PLURAL = ngettext_lazy(
    "%(count)s %(name)s was changed successfully.",
    "%(count)s %(name)s were changed successfully.",
    "count",
)
