"""Several relations of one row read in a single query, each as a JSON list.

`prefetch_related` asks one query per relation. A page that shows eight
relations of its article (labels, authors, places, organisations, tags,
corrections, gallery, videos) pays eight round trips whenever its fragments
are cold. Here each relation becomes a correlated subquery that aggregates
its rows into a JSON list (SQLite's `JSON_GROUP_ARRAY`, PostgreSQL's
`JSONB_AGG`), all of them in one SELECT, and the rows come back as model
instances, as if Django had read them.

The rows keep the order of their model's `Meta.ordering`: PostgreSQL sorts
inside the aggregate (with the database's collation, as the ORM would); on
SQLite, which cannot, they are sorted here, which is the same order as
SQLite's own for the text, numbers and times these models order by.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import connections, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_date, parse_datetime


class JSONList(models.Aggregate):
    """The aggregated rows as one JSON list (never NULL for no rows)."""

    output_field = models.JSONField()
    contains_aggregate = True

    def __init__(self, value: Any, *, ordering: Sequence[Any] = ()) -> None:
        super().__init__(value, *ordering)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        # The aggregate's FILTER comes last; these lists never take one.
        value, *ordering = self.get_source_expressions()[:-1]
        sql, params = compiler.compile(value)
        params = list(params)
        if connection.vendor != "postgresql":
            return f"JSON_GROUP_ARRAY({sql})", params
        order = []
        for term in ordering:
            term_sql, term_params = compiler.compile(term)
            order.append(term_sql)
            params.extend(term_params)
        by = f" ORDER BY {', '.join(order)}" if order else ""
        return f"COALESCE(JSONB_AGG({sql}{by}), '[]')", params


@dataclass(frozen=True)
class Relation:
    """One relation of the outer row: `rows` of `model` whose `link` field
    holds the outer row's primary key; `along` names foreign keys of `model`
    read with each row (`select_related`); `keep(instance, rows)` puts the
    rows where the page will look for them."""

    model: type[models.Model]
    link: str
    keep: Callable[[Any, list[Any]], None]
    along: tuple[str, ...] = ()
    ordering: tuple[str, ...] = field(default=())

    def order(self) -> list[str]:
        return [
            str(term) for term in self.ordering or self.model._meta.ordering or ["pk"]
        ]

    @functools.cache  # noqa: B019 (a few relations, each defined once)
    def subquery(self) -> Subquery:
        """The relation's rows as one JSON list, for the outer row `OuterRef("pk")`
        (Django copies it into each query that uses it)."""
        values: dict[str, Any] = _columns(self.model)
        for name in self.along:
            target = self.model._meta.get_field(name).related_model
            values[name] = JSONObject(**_columns(target, f"{name}__"))  # type: ignore[arg-type]
        ordering = [
            F(term.lstrip("-")).desc() if term.startswith("-") else F(term).asc()
            for term in self.order()
        ]
        rows = (
            self.model._default_manager.filter(**{self.link: OuterRef("pk")})
            .order_by()
            .values(self.link)
            .annotate(rows=JSONList(JSONObject(**values), ordering=ordering))
            .values("rows")
        )
        return Subquery(rows, output_field=models.JSONField())

    def instances(self, found: Any, using: str) -> list[Any]:
        rows = json.loads(found) if isinstance(found, str) else (found or [])
        made = [self._instance(self.model, row, using) for row in rows]
        for name in self.along:
            foreign = self.model._meta.get_field(name)
            target = foreign.related_model
            for instance, row in zip(made, rows, strict=True):
                data = row[name]
                related = (
                    None
                    if data.get(target._meta.pk.attname) is None  # type: ignore[union-attr]
                    else self._instance(target, data, using)  # type: ignore[arg-type]
                )
                foreign.set_cached_value(instance, related)  # type: ignore[union-attr]
        if connections[using].vendor != "postgresql":
            _sort(made, self.order())
        return made

    @staticmethod
    def _instance(model: type[models.Model], data: dict[str, Any], using: str) -> Any:
        sqlite = connections[using].vendor != "postgresql"
        concrete = model._meta.concrete_fields
        values = [_python(f, data[f.attname], sqlite=sqlite) for f in concrete]
        return model.from_db(using, [f.attname for f in concrete], values)


def read_together(
    instance: models.Model, relations: dict[str, Relation], *, using: str
) -> None:
    """Read every relation of `instance` in one query and `keep` each."""
    sql, compiled, at = _compiled(type(instance), relations, using)
    params = list(compiled)
    params[at] = instance.pk
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    for relation, rows in zip(
        relations.values(), found or [None] * len(relations), strict=True
    ):
        relation.keep(instance, relation.instances(rows, using))


# Built once per process, model, set of relations and database: making the
# queryset and compiling its SQL cost more than running it.
_queries: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], int]] = {}
# The placeholder the primary key takes while the SQL is compiled.
_ANY_PK = -424242424242


def _compiled(
    model: type[models.Model], relations: dict[str, Relation], using: str
) -> tuple[str, tuple[Any, ...], int]:
    key = (model, id(relations), using)
    if key not in _queries:
        query = (
            model._default_manager.using(using)
            .filter(pk=_ANY_PK)
            .order_by()
            .values_list(*(r.subquery() for r in relations.values()))
        )
        sql, params = query.query.sql_with_params()
        _queries[key] = (sql, tuple(params), list(params).index(_ANY_PK))
    return _queries[key]


def prefetched(name: str) -> Callable[[Any, list[Any]], None]:
    """`keep` for a many-to-many or reverse foreign key named `name`: as
    `prefetch_related(name)` leaves it, so that `instance.name.all()` asks
    nothing more."""

    def keep(instance: Any, rows: list[Any]) -> None:
        queryset = getattr(instance, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset

    return keep


def _columns(model: type[models.Model], prefix: str = "") -> dict[str, F]:
    return {f.attname: F(f"{prefix}{f.attname}") for f in model._meta.concrete_fields}


def _python(field: Any, value: Any, *, sqlite: bool) -> Any:
    """A column's value as JSON gave it, as the model field holds it."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value) if isinstance(value, str) else value
        # SQLite keeps UTC times without their zone.
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment
    if isinstance(field, models.DateField):
        return parse_date(value) if isinstance(value, str) else value
    if isinstance(field, models.JSONField):
        # SQLite hands a JSON column over as its text.
        return json.loads(value) if sqlite and isinstance(value, str) else value
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.FloatField):
        return float(value)
    return value


def _sort(rows: list[Any], ordering: list[str]) -> None:
    """Sort in place by `ordering` (`Meta.ordering` terms), last term first."""
    for term in reversed(ordering):
        rows.sort(key=_key(term.lstrip("-")), reverse=term.startswith("-"))


def _key(name: str) -> Callable[[Any], tuple[bool, Any]]:
    def key(row: Any) -> tuple[bool, Any]:
        value = getattr(row, name)
        # NULLs first going up, as SQLite sorts them.
        return (value is not None, value)

    return key
