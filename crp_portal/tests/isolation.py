"""The routes the isolation tests visit, generated from the URL conf (and the API router when it
is there), so a view or endpoint added later is covered without touching the tests.

Each route that takes an object becomes one URL per object it can show: admin routes by the
model their ModelAdmin serves, API routes by their viewset's model, `slug` routes by a plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

# Registered in the admin but not private to a country: public catalogs and aggregates of
# published plans, and accounts/sign-in records that editors have no permission on at all
# (checked by test_editors_have_no_permission_on_accounts_and_sign_in_records).
NOT_COUNTRY_SCOPED = {
    "plans.country": "public ISO catalog",
    "plans.region": "public catalog",
    "plans.operatingmodality": "public catalog",
    "plans.crosscuttingpriority": "public catalog",
    "objectives.strategicobjective": "public catalog",
    "objectives.targetgroup": "public catalog",
    "interventions.sector": "public catalog",
    "interventions.plantype": "public catalog",
    "funding.currency": "public ISO catalog",
    "funding.donor": "public: donors are shown on the funding pages",
    "funding.exchangerate": "public reference data",
    "funding.grouprollup": "aggregates of published plans only",
    "auth.group": "role groups: editors hold no permission on them",
    "axes.accessattempt": "sign-in records: admins only",
    "axes.accesslog": "sign-in records: admins only",
    "axes.accessfailurelog": "sign-in records: admins only",
    "partners.apitoken": "per user, not per country: no role group grants it (admins only)",
    "partners.deletion": "sync tombstones: no role group grants it (admins only)",
    "funding.grouprollupstate": "rollup bookkeeping: no role group grants it (admins only)",
    "funding.rollupaudit": "nightly audit reports: no role group grants it (admins only)",
    "funding.rollupdiscrepancy": "nightly audit differences: no role group grants it (admins only)",
    "funding.rollupfailure": "rollups that could not be stored: no role group grants it (admins only)",
    "funding.ftsclustersector": "shared mapping of FTS's global clusters to the sector catalog",
    "funding.ftsimportrun": "records of FTS uploads: FTS pages are public data of every country",
    "funding.ftsunmatchedflow": "public FTS flows in no plan yet; assigning one is scoped by the "
    "service to the officer's countries",
}
# Names of URL parameters that name an object; anything else (format, ...) is not one.
OBJECT_KWARGS = {"object_id", "pk", "id", "slug", "plan_slug", "version_id", "content_type_id"}


@dataclass(frozen=True)
class Route:
    route: str  # as in the URL conf, e.g. "admin/plans/plan/<path:object_id>/change/"
    name: str | None
    kwargs: tuple[str, ...]  # object parameters, in order
    callback: object = field(compare=False, hash=False, default=None)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def admin_model_label(self) -> str | None:
        match = re.match(r"admin/(\w+)/(\w+)/", self.route)
        return f"{match[1]}.{match[2]}" if match else None

    def api_model_label(self) -> str | None:
        cls = getattr(self.callback, "cls", None)
        if cls is None:
            return None
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model._meta.label_lower
        serializer = getattr(cls, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        return model._meta.label_lower if model else None

    def url(self, values: list) -> str:
        """Fill the parameters in the order they appear in the route."""
        values = iter(values)
        placeholder = r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)|\((?!\?)[^)]*\)"
        path = re.sub(placeholder, lambda _: str(next(values)), self.route)
        path = (
            path.replace("^", "")
            .replace("$", "")
            .replace("\\.", ".")
            .replace("\\", "")
            .replace("/?", "/")
        )
        return "/" + path.lstrip("/")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _params(route: str) -> list[str]:
    named = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    params = [a or b for a, b in named]
    unnamed = re.findall(r"\((?!\?)", route)
    if unnamed and not params:  # simple_history: ^([^/]+)/history/([^/]+)/$
        params = ["object_id", "version_id"][: len(unnamed)]
    return params


def all_routes() -> list[Route]:
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        routes.append(Route(route, pattern.name, tuple(_params(route)), pattern.callback))
    return routes


def object_routes() -> list[Route]:
    """Routes that take an object (and nothing that is not an object, such as a format)."""
    return [r for r in all_routes() if r.kwargs and set(r.kwargs) <= OBJECT_KWARGS]


def list_routes() -> list[Route]:
    """Routes without parameters: lists, search, dashboards, exports, the API root."""
    return [r for r in all_routes() if not r.kwargs and "(?P" not in r.route]


def urls_for(route: Route, objects: dict[str, object]) -> list[tuple[str, object]]:
    """(url, object) pairs for the objects this route can show; [] when none of `objects` fit."""
    if route.name == "view_on_site":
        return [
            (route.url([ContentType.objects.get_for_model(obj).pk, obj.pk]), obj)
            for obj in objects.values()
        ]
    if route.api_model_label() in NOT_COUNTRY_SCOPED:
        return []  # public reference data (donors, countries, catalogs): nothing to isolate
    if route.is_admin:
        label = route.admin_model_label()
        candidates = [objects[label]] if label in objects else []
    elif route.api_model_label() in objects:
        candidates = [objects[route.api_model_label()]]
    elif set(route.kwargs) & {"slug", "plan_slug"}:
        candidates = [objects["plans.plan"]]  # public pages and API name plans by slug
    else:
        candidates = list(objects.values())  # unknown model: try every object's id
    out = []
    for obj in candidates:
        values = []
        for name in route.kwargs:
            if name == "plan_slug":
                values.append(objects["plans.plan"].slug)
            elif name == "slug":
                values.append(getattr(obj, "slug", obj.pk))
            elif name == "version_id":
                values.append(obj.history.first().history_id)
            else:
                values.append(obj.pk)
        out.append((route.url(values), obj))
    return out


def admin_models() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}
