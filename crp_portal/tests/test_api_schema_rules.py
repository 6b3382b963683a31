"""Issue 14, item 2: the published schema is honest enough for a generated client."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

INTEGER_PARAMETERS = {"year", "donor", "objective", "intervention", "page", "page_size"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    return yaml.safe_load(out.read_text())


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _properties(schema, where):
    for name, prop in (schema.get("properties") or {}).items():
        yield f"{where}.{name}", prop
        yield from _properties(prop, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _properties(schema[key], where)


def test_the_schema_passes_openapi_spec_validator(spec):
    validate(spec)


def test_integer_parameters_are_typed_integer_never_number(spec):
    seen = set()
    for path, _method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in INTEGER_PARAMETERS:
                seen.add(parameter["name"])
                schema = parameter["schema"]
                schema = schema["items"] if schema["type"] == "array" else schema  # repeatable
                assert schema["type"] == "integer", (path, parameter)
    assert seen == INTEGER_PARAMETERS


def test_every_parameter_and_every_field_is_described(spec):
    undescribed = [
        f"{method} {path} ?{p['name']}"
        for path, method, operation in _operations(spec)
        for p in operation.get("parameters", [])
        if not p.get("description")
    ]
    for name, component in spec["components"]["schemas"].items():
        undescribed += [
            where for where, prop in _properties(component, name) if not prop.get("description")
        ]
    assert undescribed == []
    money = spec["components"]["schemas"]["Plan"]["properties"]["funding_received"]
    assert "2 decimals" in money["description"] and "not yet costed" in money["description"]
    assert "pledges are never counted" in money["description"]


def test_writes_take_json_only_and_exports_are_declared_as_text(spec):
    for path, _method, operation in _operations(spec):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], path
    listing = spec["paths"]["/api/v1/plans/"]["get"]["responses"]["200"]["content"]
    assert listing["text/csv"]["schema"]["type"] == "string"
    assert listing["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedPlanList"
    }


def test_every_error_an_operation_can_give_is_declared_with_its_body(spec):
    for path, method, operation in _operations(spec):
        responses = operation["responses"]
        expected = {"401", "429"}
        if method != "get":
            expected |= {"400", "403"}
        if "{" in path:
            expected.add("404")
        if any(p["name"] == "If-Match" for p in operation.get("parameters", [])):
            expected |= {"412", "428"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected:
            assert "application/json" in responses[code]["content"], (method, path, code)
    patch = spec["paths"]["/api/v1/plans/{slug}/"]["patch"]["responses"]
    assert patch["412"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PreconditionFailed"
    )
    conflict = spec["components"]["schemas"]["PreconditionFailed"]["properties"]
    assert {"detail", "your_version", "current_version", "changed_by", "changes"} <= set(conflict)
    assert "Retry-After" in patch["429"]["headers"]


def test_public_reads_need_no_login_and_writes_do(spec):
    for path, method, operation in _operations(spec):
        security = operation.get("security")
        if method == "get" and not path.startswith("/api/v1/tokens/"):
            assert security in (None, [], [{}]) or {} in security, (path, security)
        elif method != "get":
            assert security and {} not in security, (method, path, security)


def test_the_introduction_covers_auth_tokens_versions_limits_formats_and_sync(spec):
    intro = spec["info"]["description"]
    for words in (
        "Authorization: Token",
        "/api/v1/tokens/",
        "If-Match",
        "412",
        "428",
        "429",
        "?format=csv",
        "?format=hxl",
        "updated_since",
        "/api/v1/deletions/",
    ):
        assert words in intro, words


MONEY_PARAMETERS = {"min_gap", "max_gap", "min_amount_usd", "max_amount_usd"}
PERCENT_PARAMETERS = {"min_coverage", "max_coverage"}


def test_money_and_percent_filters_are_decimal_strings_as_the_money_they_compare(spec):
    seen = set()
    for path, _method, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in MONEY_PARAMETERS | PERCENT_PARAMETERS:
                seen.add(parameter["name"])
                schema = parameter["schema"]
                assert (schema["type"], schema["format"]) == ("string", "decimal"), (path, schema)
    assert seen == MONEY_PARAMETERS | PERCENT_PARAMETERS


def test_money_filters_take_what_their_pattern_allows_and_refuse_floats_beyond_cents(
    spec, api_client
):
    import re

    listing = spec["paths"]["/api/v1/plans/"]["get"]["parameters"]
    pattern = next(p for p in listing if p["name"] == "min_gap")["schema"]["pattern"]
    for value in ("0", "250000", "250000.5", "99999999999999.99"):
        assert re.match(pattern, value)
        assert api_client.get("/api/v1/plans/", {"min_gap": value}).status_code == 200, value
    for value in ("0.30000000000000004", "-1"):
        assert not re.match(pattern, value)
        response = api_client.get("/api/v1/plans/", {"min_gap": value})
        assert response.status_code == 400 and "min_gap" in response.json(), value


def test_create_bodies_require_what_the_create_requires(spec):
    bodies = {
        "/api/v1/objectives/": {"plan", "strategic_objective"},
        "/api/v1/interventions/": {"objective", "title"},
        "/api/v1/plans/": {"title", "slug", "start_year", "end_year", "countries"},
    }
    schemas = spec["components"]["schemas"]
    for path, required in bodies.items():
        body = spec["paths"][path]["post"]["requestBody"]
        assert body.get("required") is True, path
        ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(schemas[ref]["required"]) == required, (path, ref)


def test_answers_declare_their_etag_and_writes_take_if_match(spec):
    for path, method, operation in _operations(spec):
        for code, response in operation["responses"].items():
            if code in ("200", "201") and method != "delete":
                assert "ETag" in response.get("headers", {}), (method, path, code)
    plan = spec["paths"]["/api/v1/plans/{slug}/"]
    assert "Last-Modified" in plan["get"]["responses"]["200"]["headers"]
    assert plan["patch"]["responses"]["200"]["headers"]["ETag"]["description"].startswith(
        "The resource's tag"
    )
    for path, method in (
        ("/api/v1/plans/{slug}/", "patch"),
        ("/api/v1/plans/{slug}/publish/", "post"),
        ("/api/v1/objectives/{id}/", "patch"),
        ("/api/v1/interventions/{id}/", "patch"),
        ("/api/v1/contributions/{id}/", "patch"),
        ("/api/v1/contributions/{id}/", "delete"),
    ):
        parameters = spec["paths"][path][method]["parameters"]
        if_match = [p for p in parameters if p["name"] == "If-Match"]
        assert if_match and if_match[0]["in"] == "header" and if_match[0]["required"], path


def test_components_describe_themselves_never_with_a_base_class_docstring(spec):
    inherited = ("Validates a POST or PATCH body", "The five funding figures")
    for name, component in spec["components"]["schemas"].items():
        assert not component.get("description", "").startswith(inherited), name
    failed = spec["components"]["schemas"]["PreconditionFailed"]
    # A 412 for an If-Match that is no ETag of this API says only `detail`.
    assert failed["required"] == ["detail"]


def test_format_json_leaves_plan_urls_whole(api_client):
    from plans.models import Plan
    from plans.tests.factories import PlanFactory

    PlanFactory(slug="pakistan-crp-2020-2021", status=Plan.Status.PUBLISHED)
    body = api_client.get("/api/v1/plans/?format=json").json()
    assert [p["url"] for p in body["results"]] == [
        "http://testserver/api/v1/plans/pakistan-crp-2020-2021/"
    ]
