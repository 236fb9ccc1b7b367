"""Signals apps above articles listen to, so articles need not know them.

`article_changed` is sent after commit whenever what readers see of an
article may have changed: it was published (now or at its scheduled time),
edited while public, withdrawn, or its comments changed. Receivers (today
the page cache) refresh whatever shows the article.
"""

from django.dispatch import Signal

# Arguments: article, reason (a short word such as "published" or "comments").
article_changed = Signal()
