"""The four editorial labels every portal uses, so a fresh install has them.

Editors may rename or describe them in the admin afterwards; the migration
only adds the ones missing by slug and, going back, removes only those no
article carries.
"""

from django.db import migrations

LABELS = [
    {
        "name": "ZAPOWIEDŹ",
        "slug": "zapowiedz",
        "description": "Zapowiedź wydarzenia, które dopiero się odbędzie.",
        "is_sponsored": False,
    },
    {
        "name": "OGŁOSZENIE URZĘDOWE",
        "slug": "ogloszenie-urzedowe",
        "description": "Komunikat urzędu lub instytucji publicznej.",
        "is_sponsored": False,
    },
    {
        "name": "RAPORT 998",
        "slug": "raport-998",
        "description": "Podsumowanie interwencji strażaków i służb ratunkowych.",
        "is_sponsored": False,
    },
    {
        "name": "ARTYKUŁ SPONSOROWANY",
        "slug": "artykul-sponsorowany",
        "description": "Treść opłacona przez reklamodawcę.",
        "is_sponsored": True,
    },
]


def add_labels(apps, schema_editor):
    Label = apps.get_model("articles", "Label")
    for position, entry in enumerate(LABELS):
        if not Label.objects.filter(slug=entry["slug"]).exists() and not (
            Label.objects.filter(name=entry["name"]).exists()
        ):
            Label.objects.create(position=position, **entry)


def remove_labels(apps, schema_editor):
    Label = apps.get_model("articles", "Label")
    Label.objects.filter(
        slug__in=[entry["slug"] for entry in LABELS], articles__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_comments_changed_at"),
    ]

    operations = [
        migrations.RunPython(add_labels, remove_labels),
    ]
