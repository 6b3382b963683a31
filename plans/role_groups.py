"""The Django permission groups behind each role. Row scoping (which countries) is separate:
RoleAssignment + the visible_to / editable_by queryset methods."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .models import Role

CATALOGS = [
    "plans.country",
    "plans.region",
    "plans.operatingmodality",
    "plans.crosscuttingpriority",
    "objectives.strategicobjective",
    "objectives.targetgroup",
    "interventions.sector",
    "interventions.plantype",
    "funding.currency",
]
PLAN_CONTENT = [
    "plans.planyear",
    "plans.operationalpresence",
    "plans.plandocument",
    "plans.contextindicator",
    "objectives.objective",
    "interventions.intervention",
    "interventions.activity",
    "funding.requirement",
]

# group name → {model label: actions}
ROLE_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.EDITOR.label: {
        **{label: ("view",) for label in CATALOGS},
        "plans.plan": ("view", "add", "change"),
        **{label: ("view", "add", "change", "delete") for label in PLAN_CONTENT},
        "funding.donor": ("view",),
        "funding.contribution": ("view",),
    },
    Role.REVIEWER.label: {
        **{label: ("view",) for label in CATALOGS + PLAN_CONTENT},
        "plans.plan": ("view", "change"),
        "funding.donor": ("view",),
        "funding.contribution": ("view",),
    },
    Role.FUNDING_OFFICER.label: {
        **{label: ("view",) for label in CATALOGS + PLAN_CONTENT},
        "plans.plan": ("view",),
        "funding.donor": ("view", "add", "change"),
        "funding.exchangerate": ("view", "add", "change"),
        "funding.contribution": ("view", "add", "change", "delete"),
        # FTS imports (issue #14, item 4): the cluster mapping, the flows left to assign.
        "funding.ftsclustersector": ("view", "add", "change", "delete"),
        "funding.ftsunmatchedflow": ("view", "change"),
        "funding.ftsimportrun": ("view", "add"),
    },
}


def roles_setup() -> list[Group]:
    """Create or reset the role groups to exactly the permissions above. Idempotent."""
    groups = []
    for name, grants in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            codenames += [(app_label, f"{action}_{model}") for action in actions]
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.set(perms)
        groups.append(group)
    return groups


def group_for(role: str) -> Group:
    return Group.objects.get(name=Role(role).label)
