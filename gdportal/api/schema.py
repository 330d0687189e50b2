"""What drf-spectacular needs to know beyond the views: the token scheme and the shared error answers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": (
        "RFC 9457 problem details; `errors` lists the fields with the same pt-BR messages as the pages."
    ),
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

# Answers any operation may give besides its own (documented once, added to every operation below).
COMMON_ERRORS = {
    "400": _("Invalid data: `errors` says which field and why."),
    "401": _("Missing, invalid or revoked token."),
    "403": _("Not allowed for this account (staff, or CSRF missing on a session call)."),
    "404": _("Not found — or not yours: other users' objects do not exist for you."),
    "406": _("The Accept header asks for a format the API does not produce."),
    "409": _("Not possible in the object's current state; `detail` says why."),
    "415": _("Unsupported body format."),
    "422": _("The Idempotency-Key was already used with a different body."),
    "429": _("Too many requests: wait the seconds in Retry-After."),
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "gdportal.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A personal token created on the “Acesso por API” page: `Bearer gdp_…`.")),
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "gdportal.api.auth.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def add_common_errors(result, generator, request, public):
    """Postprocessing hook: every operation documents the shared problem+json answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                if code == "422" and method != "post":
                    continue
                entry = responses.setdefault(code, {"description": str(description)})
                # Errors are always problem+json, whatever the operation declared.
                entry["content"] = problem
            if "429" in responses:
                responses["429"]["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": str(_("Seconds to wait."))}
                }
    return result
