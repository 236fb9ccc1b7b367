from django.db import migrations


def name_the_site(apps, schema_editor):
    """Replace Django's example.com with the product's name; editors rename it."""
    Site = apps.get_model("sites", "Site")
    Site.objects.filter(pk=1, domain="example.com").update(name="Wieści", domain="localhost")


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
