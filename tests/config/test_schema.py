"""The OpenAPI schema generates cleanly and describes the public API; the docs page loads nothing from outside."""

import json
import re
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

PUBLIC_PATHS = {
    "/api/v1/questions/": {"get", "post"},
    "/api/v1/questions/{reference}/": {"get"},
    "/api/v1/questions/similar/": {"get"},
    "/api/v1/track/{reference}/": {"get"},
    "/api/v1/agencies/": {"get"},
    "/api/v1/topics/": {"get"},
}


def _generate(path, *options) -> dict:
    call_command("spectacular", "--validate", *options, "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The whole schema, validated against the OpenAPI 3 specification (a validation error fails here)."""
    return _generate(tmp_path_factory.mktemp("schema") / "openapi.json")


def test_schema_generates_without_warnings(tmp_path, capsys):
    """Every app's API must be exactly described: any warning (an untyped field, a guessed path parameter,
    a colliding enum name) fails the run, so the published schema never silently degrades."""
    _generate(tmp_path / "openapi.json", "--fail-on-warn")
    assert "Warning" not in capsys.readouterr().err


def _ref(schema: dict, node: dict) -> dict:
    name = node["$ref"].rsplit("/", 1)[1]
    return schema["components"]["schemas"][name]


def test_schema_contains_every_public_endpoint(schema):
    for path, methods in PUBLIC_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_archive_list_documents_its_filters_pagination_and_errors(schema):
    operation = schema["paths"]["/api/v1/questions/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert {"search", "agency", "topic", "date_from", "date_to", "ordering", "page", "page_size"} <= set(params)
    assert params["agency"]["schema"]["type"] == "integer"
    assert params["date_from"]["schema"] == {"type": "string", "format": "date"}
    assert set(params["ordering"]["schema"]["enum"]) == {"newest", "views", "helpful", "relevance"}
    assert {"200", "400", "404"} <= set(operation["responses"])
    page = _ref(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
    item = _ref(schema, page["properties"]["results"]["items"])
    assert set(item["properties"]) == {
        "reference",
        "title",
        "body",
        "agency",
        "topic",
        "published_at",
        "answered_at",
        "view_count",
        "helpful_yes",
        "helpful_no",
        "askers",
        "url",
    }
    errors = _ref(schema, operation["responses"]["400"]["content"]["application/json"]["schema"])
    assert {"date_from", "agency", "ordering"} <= set(errors["properties"])


def test_ask_documents_json_and_multipart_bodies_and_error_shapes(schema):
    operation = schema["paths"]["/api/v1/questions/"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    as_json = _ref(schema, content["application/json"]["schema"])
    multipart = _ref(schema, content["multipart/form-data"]["schema"])
    assert "attachments" not in as_json["properties"]
    assert multipart["properties"]["attachments"]["items"] == {"type": "string", "format": "binary"}
    # Issue 18: an e-mail or a mobile number, so neither is required on its own.
    assert set(as_json["required"]) == {"agency", "topic", "title", "body", "asker_type", "name"}
    assert {"201", "400", "403", "429"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    created = _ref(schema, operation["responses"]["201"]["content"]["application/json"]["schema"])
    assert set(created["properties"]) == {"reference", "status", "message", "tracking_url"}
    assert "tracking_url" not in created["required"]
    errors = _ref(schema, operation["responses"]["400"]["content"]["application/json"]["schema"])
    assert {"title", "email", "attachments", "tax_code"} <= set(errors["properties"])


def test_similar_and_track_shapes(schema):
    similar = schema["paths"]["/api/v1/questions/similar/"]["get"]
    item = _ref(schema, similar["responses"]["200"]["content"]["application/json"]["schema"]["items"])
    assert set(item["properties"]) == {"reference", "title", "url", "agency", "topic", "published_at"}
    assert [p["name"] for p in similar["parameters"]] == ["q"]

    track = schema["paths"]["/api/v1/track/{reference}/"]["get"]
    token = next(p for p in track["parameters"] if p["name"] == "token")
    assert token["in"] == "query" and token["required"] is True
    assert "404" in track["responses"]


PRIVATE_FIELDS = {"email", "phone", "address", "tax_code", "organisation_name", "tracking_token"}


def _response_components(schema: dict, node, seen: set[str]) -> None:
    """Collect every component reachable from `node` (following $ref, allOf/oneOf, items, properties)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                _response_components(schema, schema["components"]["schemas"][name], seen)
        for value in node.values():
            _response_components(schema, value, seen)
    elif isinstance(node, list):
        for value in node:
            _response_components(schema, value, seen)


def test_no_public_response_exposes_private_fields(schema):
    """Responses outside the staff API (which officials use to contact askers) carry no contact data or token."""
    public: set[str] = set()
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/staff/"):
            continue
        for operation in operations.values():
            if isinstance(operation, dict):
                _response_components(schema, operation.get("responses", {}), public)
    assert len(public) >= 5, f"too few public response components found: {sorted(public)}"
    for name in public:
        if name.endswith("Error"):  # a 400 body names the fields that were wrong, not their values
            continue
        properties = set(schema["components"]["schemas"][name].get("properties", {}))
        assert not properties & PRIVATE_FIELDS, name


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/questions/" in schema.json()["paths"]

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # The start script is a file of its own (no inline script under the Content-Security-Policy).
    assert "<script>" not in docs.content.decode()
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()


def test_docs_page_references_only_local_static_files(client, settings):
    html = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=").content.decode()

    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    # The start script comes from the docs view itself; everything else is a static file.
    assert "/api/docs/?script=" in references
    references.remove("/api/docs/?script=")
    assert len(references) >= 3  # the stylesheets and the two scripts at least
    for url in references:
        parsed = urlparse(url)
        assert not parsed.scheme and not parsed.netloc, url
        assert url.startswith("/" + settings.STATIC_URL.lstrip("/")), url
        assert finders.find(url.removeprefix("/" + settings.STATIC_URL.lstrip("/"))), f"{url} is not a static file"
    # Nothing else reaches out either: no absolute URL anywhere, the online validator switched off.
    assert not re.search(r"https?://", html + script)
    assert '"validatorUrl": null' in script


@pytest.mark.browser
@pytest.mark.django_db
def test_docs_render_offline_in_a_browser(page, live_server):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")

    page.wait_for_selector("text=/api/v1/questions/similar/")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Hỏi đáp")
    assert failed == []
