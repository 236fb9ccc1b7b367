"""Who in the newsroom may see readers' tips, and how to reach their senders."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from wiesci.tips.models import TipAttachment


def may_see_tips(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("tips.view_tip"))


def may_see_contact(user: Any) -> bool:
    """The reader's name, e-mail and phone: for those given the permission."""
    return may_see_tips(user) and bool(user.has_perm("tips.view_tip_contact"))


def get_photo_for_staff(pk: int, user: Any) -> TipAttachment:
    """A tip's photo for the newsroom's preview; PermissionDenied for anyone
    else, before anything says whether it exists."""
    if not may_see_tips(user):
        raise PermissionDenied
    return get_object_or_404(TipAttachment, pk=pk, kind=TipAttachment.Kind.PHOTO)
