"""The OpenAPI schema as a generated client needs it (issue 14, item 2), fixed once here for every
view rather than per view: every response code an operation can give, with its body; CSV/HXL
declared as text; a description on every parameter and field; public reads without a security
requirement. The words for names used across the API live in descriptions.py.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

from crp_portal.api_language import LANGUAGE_CODES

from .descriptions import FIELD_DESCRIPTIONS, PARAMETER_DESCRIPTIONS
from .permissions import ReadOrAuthenticatedWrite

# Every read takes the language of its words (crp_portal/api_language.py).
LANG_PARAMETER = {
    "in": "query",
    "name": "lang",
    "schema": {"type": "string", "enum": list(LANGUAGE_CODES)},
    "description": "The language of the answer's labels and messages (kind_label, status_label, "
    "an indicator's name and text); without it, the Accept-Language header chooses, else "
    "English. The plans' own texts (titles, narratives, activities, catalog names) come in "
    "that language where they are translated, else in English.",
}

JSON = "application/json"
CSV = "text/csv"

CSV_SCHEMA = {
    "type": "string",
    "description": "CSV (UTF-8) with a header row; `?format=hxl` adds a row of HXL hashtags "
    "under it. A list exports every matching row, not one page.",
}


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field."""

    detail = serializers.CharField(help_text="What went wrong, in words to show a person.")


class PreconditionRequiredSerializer(ErrorSerializer):
    """428: the write did not send If-Match; nothing was written."""

    current_version = serializers.IntegerField(help_text="The resource's version now.")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field someone else changed.")
    their_value = serializers.JSONField(help_text="Its value as they saved it.")
    your_value = serializers.JSONField(help_text="The value you sent (not saved).")


# Absent from the 412 of an If-Match that names no ETag this API gave (the body is `detail`).
NOT_A_TAG = " Absent when If-Match was not an ETag of this API (only `detail` then)."


class PreconditionFailedSerializer(ErrorSerializer):
    """412: someone saved a newer version since you read it, or If-Match named no ETag of this
    API; nothing was written."""

    your_version = serializers.IntegerField(
        required=False, help_text="The version your If-Match named." + NOT_A_TAG
    )
    current_version = serializers.IntegerField(
        required=False, help_text="The resource's version now." + NOT_A_TAG
    )
    changed_by = serializers.CharField(
        required=False, help_text="Who saved the newer version." + NOT_A_TAG
    )
    changes = ChangeSerializer(
        many=True, required=False, help_text="What they changed since your version." + NOT_A_TAG
    )


VALIDATION_ERROR = {
    "type": "object",
    "description": "A 400: each key names a field or query parameter (`non_field_errors`: the "
    "request as a whole) and holds its messages (nested objects for nested rows). Nothing was "
    "written.",
    "additionalProperties": {},
    "example": {"year": ["Enter a whole number from 1990 to 2100."]},
}

ERRORS = {
    "304": "Not modified: your copy (If-None-Match / If-Modified-Since) is current.",
    "400": "Bad input: the body names each field or query parameter and what is wrong with "
    "it. Nothing was written.",
    "401": "The Authorization header names no valid, active token.",
    "403": "You may not do this (the message says why).",
    "404": "No such resource among those you may see.",
    "412": "Someone else saved a newer version since you read it: nothing was written; "
    "`changes` lists what they changed (field, their value, your value). Also when If-Match "
    "is not an ETag this API answered with (GET the resource first).",
    "415": "The body is not JSON: writes take `application/json` only.",
    "428": "If-Match is missing: nothing was written. GET the resource and send its ETag.",
    "429": "Too many requests: wait `Retry-After` seconds (limits per minute: anonymous "
    "clients by address, signed-in clients and tokens by account).",
}
ERROR_BODIES = {
    "401": ErrorSerializer,
    "403": ErrorSerializer,
    "404": ErrorSerializer,
    "412": PreconditionFailedSerializer,
    "415": ErrorSerializer,
    "428": PreconditionRequiredSerializer,
    "429": ErrorSerializer,
}


ETAG = {
    "schema": {"type": "string"},
    "description": "The answer's tag: send it as If-None-Match to get a 304 while the body is "
    "unchanged. Not on streamed CSV/HXL exports.",
}
VERSIONED_ETAG = {
    "schema": {"type": "string", "pattern": r'^"v\d+-[0-9a-f]+"$'},
    "description": 'The resource\'s tag, `"v<version>-<digest>"`: send it as If-Match with the '
    "next write (PATCH, DELETE, a workflow step), or as If-None-Match to get a 304 while the "
    "body is unchanged. Not on streamed CSV/HXL exports.",
}
LAST_MODIFIED = {
    "schema": {"type": "string"},
    "description": "When what the answer shows last changed (HTTP date): send it as "
    "If-Modified-Since to get a 304. Absent when nothing dates it (e.g. an empty list).",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema with the project's rules (see the module docstring)."""

    def _map_basic_serializer(self, serializer, direction):
        mapped = super()._map_basic_serializer(serializer, direction)
        # A component's words are its own class's docstring, never one inherited from a base
        # (WriteSerializer's "Validates a POST or PATCH body", FiguresMixin's "five figures").
        cls = serializer if isinstance(serializer, type) else type(serializer)
        if not cls.__dict__.get("__doc__") and "description" in mapped:
            del mapped["description"]
        return mapped

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) in ("200", "201") and self.method != "DELETE":
            # One resource of a versioned kind (not a list of them) carries its version.
            one = self.method != "GET" or "{" in self.path
            versioned = one and hasattr(self.view, "etag_version")
            headers.setdefault("ETag", VERSIONED_ETAG if versioned else ETAG)
            if self.method == "GET":
                headers.setdefault("Last-Modified", LAST_MODIFIED)
        return headers

    def _is_public_read(self) -> bool:
        if self.method not in permissions.SAFE_METHODS:
            return False
        checks = self.view.get_permissions()
        return bool(checks) and all(isinstance(p, ReadOrAuthenticatedWrite) for p in checks)

    def get_auth(self):
        # Public reads need no login: no lock in the docs, and generated clients need no token
        # (one may still be sent, for the partner rate limit).
        return [] if self._is_public_read() else super().get_auth()

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if not meta.get("description"):
            meta["description"] = field_description(field)
        return meta

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if self.method == "GET" and not any(p["name"] == "lang" for p in parameters):
            parameters.append(LANG_PARAMETER)
        for parameter in parameters:
            if not parameter.get("description"):
                name = parameter["name"]
                parameter["description"] = PARAMETER_DESCRIPTIONS.get(
                    name, f"{name.replace('_', ' ').capitalize()} (exact match)."
                )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            content = response.get("content", {})
            if CSV in content:
                content[CSV] = {"schema": CSV_SCHEMA}
        for code in self._error_codes(responses):
            body = responses.get(code, {})
            if "content" not in body:
                responses[code] = self._error_response(code, body.get("description"))
        return dict(sorted(responses.items()))

    def _error_codes(self, responses) -> list[str]:
        codes = ["401", "429"]
        is_write = self.method not in permissions.SAFE_METHODS
        if self.method == "GET":
            codes.append("304")
        if is_write or self._is_list_view() or self._get_request_body():
            codes.append("400")
        if is_write or not self._is_public_read():
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        if is_write and self.method != "DELETE":
            codes.append("415")
        names = {p["name"] for p in super()._get_parameters()}
        if "If-Match" in names or {"412", "428"} & set(responses):
            codes += ["412", "428"]
        return codes

    def _error_response(self, code: str, description: str | None) -> dict:
        description = description or ERRORS[code]
        if code == "304":
            return {"description": description}
        if code == "400":
            component = ResolvedComponent(
                name="ValidationError",
                type=ResolvedComponent.SCHEMA,
                schema=VALIDATION_ERROR,
                object="ValidationError",
            )
            self.registry.register_on_missing(component)
            schema = component.ref
        else:
            schema = self.resolve_serializer(ERROR_BODIES[code], "response").ref
        content = {JSON: {"schema": schema}}
        # A view that also renders CSV/HXL answers its errors in the format asked for.
        for renderer in getattr(self.view, "renderer_classes", ()):
            if renderer.media_type.startswith("text/"):
                content.setdefault(renderer.media_type, {"schema": {"type": "string"}})
        response = {"description": description, "content": content}
        if code == "429":
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds until the next window opens.",
                }
            }
        return response


def field_description(field) -> str:
    """A field's words: the shared table, else its model field's help text or verbose name."""
    name = getattr(field, "field_name", "") or ""
    if not name:  # the child of a list field: its items
        parent = getattr(getattr(field, "parent", None), "field_name", "") or ""
        return f"One of the {parent.replace('_', ' ')}." if parent else "One item."
    if name in FIELD_DESCRIPTIONS:
        return FIELD_DESCRIPTIONS[name]
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = (getattr(field, "source", None) or name).split(".")[0]
    if model is not None:
        try:
            model_field = model._meta.get_field(source)
        except Exception:
            model_field = None
        if model_field is not None:
            text = str(getattr(model_field, "help_text", "") or "")
            return text or f"{str(model_field.verbose_name).capitalize()}."
    return f"{name.replace('_', ' ').capitalize()}."
