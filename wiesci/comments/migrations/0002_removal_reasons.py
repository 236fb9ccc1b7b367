from django.db import migrations

# The reasons a newsroom most often gives; editors rename or add their own.
REASONS = [
    ("Obraźliwe treści", "Komentarz obraża inne osoby lub grupy, zawiera wulgaryzmy albo mowę nienawiści."),
    ("Spam lub reklama", "Komentarz reklamuje produkty lub usługi albo powtarza tę samą treść."),
    ("Dane osobowe", "Komentarz ujawnia dane osobowe lub szczegóły z życia prywatnego innych osób."),
    ("Nieprawdziwe zarzuty", "Komentarz zawiera niepotwierdzone zarzuty wobec konkretnych osób lub instytucji."),
    ("Niezgodne z regulaminem", "Komentarz narusza regulamin portalu w inny sposób."),
]


def add_reasons(apps, schema_editor):
    RemovalReason = apps.get_model("comments", "RemovalReason")
    for position, (name, explanation) in enumerate(REASONS):
        RemovalReason.objects.get_or_create(
            name=name, defaults={"explanation": explanation, "position": position}
        )


def remove_reasons(apps, schema_editor):
    RemovalReason = apps.get_model("comments", "RemovalReason")
    RemovalReason.objects.filter(name__in=[name for name, _ in REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(add_reasons, remove_reasons)]
