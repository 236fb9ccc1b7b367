"""The yearly transparency count of moderation (DSA Articles 15 and 24):
notices received and what became of them, removals, appeals and outcomes."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.comments.models import Appeal, Comment, RemovalReason, Report


@dataclass(frozen=True)
class Row:
    label: str
    value: int | str


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(year, 1, 1))  # noqa: DTZ001 (made aware)
    end = timezone.make_aware(datetime(year + 1, 1, 1))  # noqa: DTZ001
    return start, end


def _median_hours(pairs: QuerySet[Any]) -> str:
    spans = [(done - began).total_seconds() / 3600 for began, done in pairs]
    if not spans:
        return "—"
    return f"{statistics.median(spans):.1f}"


def counts(year: int) -> list[Row]:
    """The year's figures, in the order the published report lists them."""
    start, end = _year_bounds(year)
    reports = Report.objects.filter(created_at__gte=start, created_at__lt=end)
    rows = [
        Row(_("Notices received"), reports.count()),
        Row(_("… from anonymous readers"), reports.exclude(fingerprint="").count()),
    ]
    by_reason = dict(
        reports.order_by()
        .values_list("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )
    for value, label in Report.Reason.choices:
        rows.append(
            Row(_("… reason: %(reason)s") % {"reason": label}, by_reason.get(value, 0))
        )
    decided = reports.exclude(outcome=Report.Outcome.OPEN)
    rows += [
        Row(
            _("Notices after which the comment was removed"),
            decided.filter(outcome=Report.Outcome.REMOVED).count(),
        ),
        Row(
            _("Notices after which the comment stayed"),
            decided.filter(outcome=Report.Outcome.KEPT).count(),
        ),
        Row(
            _("Notices still waiting"),
            reports.filter(outcome=Report.Outcome.OPEN).count(),
        ),
        Row(
            _("Median time to decide a notice (hours)"),
            _median_hours(decided.values_list("created_at", "resolved_at")),
        ),
    ]
    moderated = Comment.objects.filter(moderated_at__gte=start, moderated_at__lt=end)
    removed = moderated.filter(status=Comment.Status.REMOVED)
    rows.append(Row(_("Comments removed by the newsroom"), removed.count()))
    removed_by_reason = dict(
        removed.order_by()
        .values_list("removal_reason")
        .annotate(n=Count("pk"))
        .values_list("removal_reason", "n")
    )
    for reason in RemovalReason.objects.all():
        rows.append(
            Row(
                _("… reason: %(reason)s") % {"reason": reason.name},
                removed_by_reason.get(reason.pk, 0),
            )
        )
    rows.append(
        Row(
            _("Comments rejected before publication"),
            moderated.filter(status=Comment.Status.REJECTED).count(),
        )
    )
    appeals = Appeal.objects.filter(created_at__gte=start, created_at__lt=end)
    decided_appeals = appeals.exclude(status=Appeal.Status.PENDING)
    rows += [
        Row(_("Appeals received"), appeals.count()),
        Row(
            _("Appeals: removal upheld"),
            appeals.filter(status=Appeal.Status.UPHELD).count(),
        ),
        Row(
            _("Appeals: removal reversed"),
            appeals.filter(status=Appeal.Status.REVERSED).count(),
        ),
        Row(
            _("Appeals still waiting"),
            appeals.filter(status=Appeal.Status.PENDING).count(),
        ),
        Row(
            _("Median time to decide an appeal (hours)"),
            _median_hours(
                decided_appeals.filter(decided_at__gte=F("created_at")).values_list(
                    "created_at", "decided_at"
                )
            ),
        ),
    ]
    return rows


def as_csv(year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Year"), year])
    writer.writerow([_("Figure"), _("Value")])
    for row in counts(year):
        writer.writerow([row.label, row.value])
    return out.getvalue()
