"""Staff roles (SPEC §1): one Django group each, with the least permissions the role needs.

This mapping is the single source of truth. The groups' data migration creates the groups; after every
`migrate` the post_migrate hook makes each group's permissions exactly this list, so permissions added
by later apps (cases, orders, inspections) reach the groups without another hand-written data migration.
"""

import logging

from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)

COMMERCIAL_ANALYST = "Analista comercial"
TECHNICAL_ANALYST = "Analista técnico"
REGISTRATION_ANALYST = "Analista de cadastro"
INSPECTOR = "Vistoriador"
# Not a queue-working role (no clocks, no digest): the few who keep the reasons catalogue (SPEC §15). Analysts
# only read it, so no one who decides a case can rewrite the reasons they choose from.
REASONS_CURATOR = "Curador do catálogo de motivos"

_REGISTRY_READ = ["registry.view_customer", "registry.view_installation", "registry.view_debt"]

_CASE_READ = [
    "cases.view_case",
    "cases.view_caseevent",
    "cases.view_documentversion",
    "deadlines.view_deadline",
    "deadlines.view_nonworkingday",
]

_REASONS_READ = ["cases.view_decisionreason"]

ROLE_PERMISSIONS = {
    COMMERCIAL_ANALYST: [
        *_REGISTRY_READ,
        *_CASE_READ,
        "cases.view_all_cases",
        "atende.view_commercialqueue",
        "cases.commercial_review",
        "cases.answer_consultation",
        "aprweb.view_aprorder",
        "cases.manage_guarantee",
        "cases.view_guarantee",
        "parecer.view_parecer",
        "deadlines.add_nonworkingday",
        "deadlines.change_nonworkingday",
        "deadlines.delete_nonworkingday",
        *_REASONS_READ,
    ],
    TECHNICAL_ANALYST: [
        *_REGISTRY_READ,
        *_CASE_READ,
        "cases.view_all_cases",
        "cases.technical_review",
        "aprweb.view_aprorder",
        "aprweb.view_technicalqueue",
        "aprweb.change_technicalqueue",
        "parecer.view_parecer",
        "parecer.view_parecerqueue",
        "parecer.view_inspection",
        *_REASONS_READ,
    ],
    REGISTRATION_ANALYST: ["aprweb.view_rtregistration", "aprweb.review_registration"],
    # Without cases.view_all_cases: the inspector sees only the cases in inspection (Case.objects.for_user).
    INSPECTOR: [
        "registry.view_installation",
        *_CASE_READ,
        "cases.inspect",
        "parecer.view_parecer",
        "parecer.view_inspection",
        "parecer.view_inspectionqueue",
    ],
}

ROLES = list(ROLE_PERMISSIONS)

# Groups kept like the roles but outside ROLES (the SLA board and the digests know only the roles).
GROUP_PERMISSIONS = {
    REASONS_CURATOR: ["cases.view_decisionreason", "cases.add_decisionreason", "cases.change_decisionreason"],
}


def extend_role(role, permissions):
    """Let a later app declare its permissions for a role next to the code that checks them."""
    ROLE_PERMISSIONS[role].extend(p for p in permissions if p not in ROLE_PERMISSIONS[role])


def sync_roles(group_model=None, permission_model=None, using=DEFAULT_DB_ALIAS, strict=False):
    from django.contrib.auth.models import Group, Permission

    group_model = group_model or Group
    permission_model = permission_model or Permission
    for role, codes in {**ROLE_PERMISSIONS, **GROUP_PERMISSIONS}.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".", 1)
            perm = (
                permission_model.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is None:
                if strict:
                    raise LookupError(f"Permission {code} for role {role} does not exist")
                logger.debug("permission %s not created yet; role %s gets it later", code, role)
                continue
            wanted.append(perm)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    from django.apps import apps

    # Only once per migrate run, after the last app: every app's permissions exist by then.
    # (post_migrate is only sent for apps that have a models module.)
    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last_app.label:
        return
    sync_roles(using=using)
