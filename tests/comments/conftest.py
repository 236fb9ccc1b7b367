"""Fixtures for the comment tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def holds_first(db: None) -> None:
    """Pre-moderate a new reader's first comment (post-moderation is the default)."""
    from wiesci.comments.models import ModerationSettings

    policy = ModerationSettings.current()
    policy.premoderate_first = 1
    policy.save()
