"""Every write to articles that matters goes through these functions.

Views, admin actions, commands and tests call the same functions. `by` is who
acts, always given: a staff member, or the portal itself as a named system
actor (`core.actors`: the scheduler, the demo loader, an import), which the
permission checks let through and the audit log names. Each change of
status is recorded in the audit log; each save keeps a revision.
"""

from wiesci.articles.services._common import Actor, NotAllowed
from wiesci.articles.services.gallery import (
    GalleryRow,
    NewPhoto,
    Rejected,
    add_to_gallery,
    update_gallery,
    upload_to_gallery,
)
from wiesci.articles.services.notes import (
    add_correction,
    revoke_share_links,
    share_article,
)
from wiesci.articles.services.saving import (
    record_filing,
    record_revision,
    restore_revision,
    save_article,
)
from wiesci.articles.services.workflow import (
    delete_article,
    publish_article,
    return_to_draft,
    run_due_publications,
    submit_for_review,
    withdraw_article,
)

__all__ = [
    "Actor",
    "GalleryRow",
    "NewPhoto",
    "NotAllowed",
    "Rejected",
    "add_correction",
    "add_to_gallery",
    "delete_article",
    "publish_article",
    "record_filing",
    "record_revision",
    "restore_revision",
    "return_to_draft",
    "revoke_share_links",
    "run_due_publications",
    "save_article",
    "share_article",
    "submit_for_review",
    "update_gallery",
    "upload_to_gallery",
    "withdraw_article",
]
