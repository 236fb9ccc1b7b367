"""The newsletter in the admin: the subscribers (find an address, see where
it stands, suppress it; nobody adds one here, since a subscription needs the
reader's own confirmation) and the digests (intro, top story, preview, test,
approval, and how the sending went)."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.access import acting_user
from wiesci.articles.models import Article
from wiesci.core.actors import SYSTEM_ACTORS
from wiesci.core.text import local_time
from wiesci.newsletter import digests, letters, services
from wiesci.newsletter.models import Delivery, Digest, Subscriber


def _changed_by(row: Subscriber | Digest, nobody: str) -> str:
    if row.changed_by_id is not None:
        return str(row.changed_by)
    actor = SYSTEM_ACTORS.get(row.changed_by_system)
    return str(actor.label) if actor else nobody


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = (
        "email",
        "status",
        "frequency",
        "reason",
        "created_at",
        "confirmed_at",
    )
    list_filter = ("status", "frequency", "reason")
    search_fields = ("email",)
    ordering = ("-created_at",)
    actions = ("suppress",)
    # Every change goes through the services (the action below): the form
    # only shows the row.
    readonly_fields = (
        "email",
        "status",
        "frequency",
        "reason",
        "created_at",
        "confirmed_at",
        "ended_at",
        "confirmation_sent_at",
        "consent_text",
        "consent_version",
        "last_change_by",
    )
    fields = readonly_fields

    @admin.display(description=_("last changed by"))
    def last_change_by(self, subscriber: Subscriber) -> str:
        return _changed_by(subscriber, gettext("the address's owner, by its link"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: Any
    ) -> None:
        """Nothing to save: every field is read-only."""

    @admin.action(
        description=_("Suppress the selected addresses"), permissions=["change"]
    )
    def suppress(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = 0
        for subscriber in queryset:
            services.suppress(
                subscriber, by=acting_user(request), reason=Subscriber.Reason.EDITOR
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d address suppressed.",
                "%(count)d addresses suppressed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class StoryChoice(forms.ModelChoiceField[Article]):
    def label_from_instance(self, obj: Article) -> str:
        return obj.title_with_markers


class DigestForm(forms.ModelForm[Digest]):
    class Meta:
        model = Digest
        fields = ("intro", "top_story")
        widgets = {"intro": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The top story is one of the digest's own stories.
        found = digests.articles(self.instance) if self.instance.pk else []
        field = self.fields["top_story"]
        self.fields["top_story"] = StoryChoice(
            queryset=Article.objects.filter(pk__in=[a.pk for a in found]),
            required=False,
            label=field.label,
            help_text=field.help_text,
        )


DIGEST_ACTIONS = {"test", "approve", "hold"}


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin[Digest]):
    """Digests are drafted by the worker a day or a week ahead (see
    `services.plan_digests`); the newsroom writes the intro, picks the top
    story, previews, sends a test and approves. Nobody adds or deletes one
    here: a digest that went out stays as the record of what was sent."""

    form = DigestForm
    change_form_template = "admin/newsletter/digest/change_form.html"
    list_display = ("__str__", "status", "send_at", "delivered", "tested_at")
    list_filter = ("kind", "status")
    ordering = ("-send_at",)
    readonly_fields = (
        "kind",
        "status",
        "send_at",
        "covers",
        "stories",
        "tested",
        "deliveries_summary",
        "note",
        "last_change_by",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Digest]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count(
                    "deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)
                ),
                delivery_count=Count("deliveries"),
            )
        )

    def get_fields(self, request: HttpRequest, obj: Digest | None = None) -> Any:
        return (
            "kind",
            "status",
            "send_at",
            "covers",
            "stories",
            "intro",
            "top_story",
            "tested",
            "deliveries_summary",
            "note",
            "last_change_by",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Digest | None = None
    ) -> Any:
        if obj is not None and obj.status not in (
            Digest.Status.DRAFT,
            Digest.Status.SCHEDULED,
        ):
            return (*self.readonly_fields, "intro", "top_story")
        return self.readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("delivered"))
    def delivered(self, digest: Digest) -> str:
        total = getattr(digest, "delivery_count", 0)
        if not total:
            return "–"
        return f"{getattr(digest, 'sent_count', 0)} / {total}"

    @admin.display(description=_("period"))
    def covers(self, digest: Digest) -> str:
        return gettext("stories published from %(start)s to %(end)s") % {
            "start": local_time(digest.covers_from),
            "end": local_time(digest.covers_until),
        }

    @admin.display(description=_("stories"))
    def stories(self, digest: Digest) -> str:
        found = digests.articles(digest)
        if not found:
            return gettext("None yet.")
        return format_html(
            "<ol>{}</ol>",
            format_html(
                "".join("<li>{}</li>" for _ in found),
                *(article.title_with_markers for article in found),
            ),
        )

    @admin.display(description=_("test"))
    def tested(self, digest: Digest) -> str:
        if digest.tested_at is None:
            return gettext("No test sent yet.")
        text = gettext("Sent to %(address)s on %(when)s.") % {
            "address": digest.tested_to,
            "when": local_time(digest.tested_at),
        }
        if not digest.is_tested:
            text += " " + gettext("The digest changed since: send a new test.")
        return text

    @admin.display(description=_("sending"))
    def deliveries_summary(self, digest: Digest) -> str:
        counts = dict(
            digest.deliveries.values_list("status").annotate(n=Count("pk")).order_by()
        )
        if not counts:
            return "–"
        labels = dict(Delivery.Status.choices)
        return ", ".join(
            f"{labels[status]}: {n}" for status, n in sorted(counts.items())
        )

    @admin.display(description=_("last changed by"))
    def last_change_by(self, digest: Digest) -> str:
        return _changed_by(digest, "–")

    def save_model(
        self, request: HttpRequest, obj: Digest, form: Any, change: bool
    ) -> None:
        if change and form.has_changed():
            services.save_digest(obj, by=acting_user(request))

    def response_change(self, request: HttpRequest, obj: Digest) -> HttpResponse:
        action = request.POST.get("_digest", "")
        if action in DIGEST_ACTIONS:
            self._act(request, obj, action)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)

    def _act(self, request: HttpRequest, digest: Digest, action: str) -> None:
        by = acting_user(request)
        try:
            if action == "test":
                address = request.POST.get("test_address", "").strip()
                validate_email(address)
                services.send_test(digest, by=by, to=address)
                self.message_user(
                    request,
                    gettext("A test went to %(address)s.") % {"address": address},
                    messages.SUCCESS,
                )
            elif action == "approve":
                services.approve_digest(digest, by=by)
                self.message_user(
                    request,
                    gettext("Approved: the digest goes out at %(when)s.")
                    % {"when": local_time(digest.send_at)},
                    messages.SUCCESS,
                )
            else:
                services.hold_digest(digest, by=by)
                self.message_user(
                    request,
                    gettext("Held: the digest will not go out until it is approved."),
                    messages.SUCCESS,
                )
        except ValidationError:
            self.message_user(
                request,
                gettext("Enter a valid e-mail address for the test."),
                messages.ERROR,
            )
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "preview_url": reverse("admin:newsletter_digest_preview", args=[object_id]),
            "preview_text_url": reverse(
                "admin:newsletter_digest_preview_text", args=[object_id]
            ),
            "test_address": getattr(request.user, "email", ""),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/podglad/",
                # The message's styles are inline, as mail programs need them.
                self.admin_site.admin_view(
                    csp_update({"style-src-attr": ["'unsafe-inline'"]})(
                        self.preview_view  # type: ignore[arg-type]
                    )
                ),
                name="newsletter_digest_preview",
            ),
            path(
                "<int:pk>/podglad.txt",
                self.admin_site.admin_view(self.preview_text_view),
                name="newsletter_digest_preview_text",
            ),
            *super().get_urls(),
        ]

    def _previewed(self, request: HttpRequest, pk: int) -> digests.Message:
        if not self.has_view_permission(request):
            raise PermissionDenied
        digest = get_object_or_404(Digest, pk=pk)
        message = (
            digests.Message(digest.subject, digest.html, digest.text)
            if digest.html  # as it went out
            else digests.render(digest)
        )
        here = letters.subscribe_url()
        return digests.Message(
            message.subject,
            digests.personalise(message.html, here),
            digests.personalise(message.text, here),
        )

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self._previewed(request, pk)
        return HttpResponse(message.html)

    def preview_text_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self._previewed(request, pk)
        body = f"{gettext('Subject')}: {message.subject}\n\n{message.text}"
        return HttpResponse(body, content_type="text/plain; charset=utf-8")
