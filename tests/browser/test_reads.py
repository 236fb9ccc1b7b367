"""Most read, as a browser feeds it: one beacon per article page loaded."""

from wiesci.articles import readership
from wiesci.articles.models import ArticleView


def test_opening_an_article_in_a_browser_counts_one_read(page, make_article):
    article = make_article(title="Festyn w Brzeziu")
    readership.flush()
    with page.expect_request(f"**{readership.BEACON_PATH}") as sent:
        page.goto(article.get_absolute_url())
    beacon = sent.value
    assert beacon.method == "POST"
    assert beacon.post_data == article.get_absolute_url()
    assert beacon.response().status == 204
    page.goto("/")  # other pages send nothing
    assert readership.flush() == 1
    assert ArticleView.objects.get(article=article).views == 1
