"""Users in the admin: profiles, roles, and readers' bans."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.forms import BanForm
from wiesci.accounts.models import User
from wiesci.accounts.services import BAN_PERMISSION, ban_reader, lift_ban


class BannedFilter(admin.SimpleListFilter):
    title = _("ban")
    parameter_name = "banned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("banned now")), ("no", _("not banned"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> QuerySet[User]:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(banned_until__gt=now)
        if self.value() == "no":
            return queryset.filter(
                Q(banned_until__isnull=True) | Q(banned_until__lte=now)
            )
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Public profile"), {"fields": ("display_name",)}),
        (
            _("Ban"),
            {
                "fields": ("banned_until", "ban_reason"),
                "description": _(
                    "Ban or lift a ban with the actions of the user list, so "
                    "the change goes through the same rules as from the "
                    "moderation queue."
                ),
            },
        ),
    )
    readonly_fields = ("banned_until", "ban_reason")
    list_display = (
        "username",
        "email",
        "display_name",
        "is_staff",
        "banned",
        "banned_until",
        "date_joined",
    )
    list_filter = (*DjangoUserAdmin.list_filter, BannedFilter)
    search_fields = ("username", "email", "display_name", "first_name", "last_name")
    actions = ["ban", "lift_bans"]

    @admin.display(description=_("banned"), boolean=True, ordering="banned_until")
    def banned(self, user: User) -> bool:
        return user.is_banned

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(BAN_PERMISSION)

    @admin.action(description=_("Ban from commenting…"), permissions=["moderate"])
    def ban(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        form = BanForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            users = list(queryset)
            for user in users:
                ban_reader(
                    user,
                    by=request.user,
                    until=form.until(),
                    reason=form.cleaned_data["reason"],
                )
            self.message_user(
                request,
                ngettext(
                    "%(count)d reader banned.", "%(count)d readers banned.", len(users)
                )
                % {"count": len(users)},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Ban readers"),
            "users": queryset,
            "form": form,
            "action": "ban",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/accounts/user/ban.html", context)

    @admin.action(description=_("Lift the ban"), permissions=["moderate"])
    def lift_bans(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        lifted = 0
        for user in queryset:
            if user.banned_until is not None:
                lift_ban(user, by=request.user)
                lifted += 1
        self.message_user(
            request,
            ngettext(
                "The ban of %(count)d reader lifted.",
                "The bans of %(count)d readers lifted.",
                lifted,
            )
            % {"count": lifted},
        )
