from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

# The pages every footer links to (wiesci.core.legal). Starting texts for the
# publisher to complete in the admin; the brackets mark what only they know.
PAGES = [
    (
        "/stopka-redakcyjna/",
        "Stopka redakcyjna",
        "<p><strong>Wydawca:</strong> [nazwa wydawcy, adres, NIP]</p>"
        "<p><strong>Redaktor naczelny:</strong> [imię i nazwisko]</p>"
        "<p><strong>Adres redakcji:</strong> [ulica, kod, miejscowość]</p>"
        "<p><strong>Kontakt z redakcją:</strong> [adres e-mail, telefon]</p>"
        "<p>Dziennik zarejestrowany w [sąd okręgowy, numer wpisu do rejestru "
        "dzienników i czasopism].</p>",
    ),
    (
        "/kontakt/",
        "Kontakt",
        "<p>Masz temat, zdjęcie albo uwagę do artykułu? Napisz do redakcji: "
        "[adres e-mail] albo zadzwoń: [telefon].</p>"
        "<p>Sprawy komentarzy, zgłoszeń i odwołań: [adres e-mail punktu "
        "kontaktowego]. Odpowiadamy po polsku.</p>",
    ),
    (
        "/regulamin/",
        "Regulamin",
        "<h2>1. Kto prowadzi portal</h2>"
        "<p>Portal prowadzi wydawca wskazany w stopce redakcyjnej.</p>"
        "<h2>2. Konto i komentarze</h2>"
        "<p>Komentować mogą zalogowani czytelnicy z potwierdzonym adresem "
        "e-mail. Nazwa widoczna przy komentarzach nie może podszywać się pod "
        "redakcję ani inne osoby. Za treść komentarza odpowiada jego autor.</p>"
        "<h2>3. Czego nie publikujemy</h2>"
        "<p>Treści niezgodnych z prawem, obraźliwych, nawołujących do nienawiści, "
        "ujawniających dane osobowe innych osób, reklam i spamu.</p>"
        "<h2>4. Zgłoszenia</h2>"
        "<p>Każdy, także bez konta, może zgłosić komentarz przyciskiem "
        "„Zgłoś”. Redakcja rozpatruje każde zgłoszenie i na życzenie informuje "
        "zgłaszającego o decyzji.</p>"
        "<h2>5. Usunięcie komentarza i odwołanie</h2>"
        "<p>Autor usuniętego komentarza dostaje uzasadnienie decyzji i przez "
        "sześć miesięcy może się od niej odwołać. Odwołanie rozpatruje inny "
        "moderator niż ten, który komentarz usunął.</p>"
        "<h2>6. Zmiany regulaminu</h2>"
        "<p>O zmianach regulaminu informujemy na tej stronie. [Data wejścia w "
        "życie.]</p>",
    ),
    (
        "/polityka-prywatnosci/",
        "Polityka prywatności",
        "<p><strong>Administrator danych:</strong> wydawca wskazany w stopce "
        "redakcyjnej, [adres e-mail w sprawach danych osobowych].</p>"
        "<p>Przetwarzamy adres e-mail i nazwę konta, aby prowadzić konto i "
        "publikować komentarze (art. 6 ust. 1 lit. b RODO), a adres IP "
        "w postaci skrótu — aby chronić portal przed nadużyciami (art. 6 ust. 1 "
        "lit. f RODO).</p>"
        "<p>Portal nie używa reklamowych plików cookie ani narzędzi śledzących. "
        "Filmy z serwisów zewnętrznych ładują się dopiero po kliknięciu.</p>"
        "<p>Możesz pobrać swoje dane i usunąć konto na stronie „Moje konto”. "
        "Przysługuje Ci prawo skargi do Prezesa UODO.</p>",
    ),
]


def add_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Site = apps.get_model("sites", "Site")
    site = Site.objects.filter(pk=settings.SITE_ID).first()
    if site is None:
        # A new database: the sites framework makes its site only after all
        # migrations (post_migrate); make it now, as it would, to link to.
        site = Site.objects.create(
            pk=settings.SITE_ID, domain="localhost", name="Wieści"
        )
        connection = schema_editor.connection
        sequences = connection.ops.sequence_reset_sql(no_style(), [Site])
        with connection.cursor() as cursor:
            for statement in sequences:
                cursor.execute(statement)
    for url, title, content in PAGES:
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        if created:
            page.sites.add(site)


def remove_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    for url, _title, content in PAGES:
        FlatPage.objects.filter(url=url, content=content).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_site_name"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_pages, remove_pages)]
