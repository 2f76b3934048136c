#!/usr/bin/env python3
"""Holds recorded vendor exchanges against each vendor's own OpenAPI document.

The sandbox records every exchange the e2e tests make with it when DESKGATE_SANDBOX_RECORD
names a file (crates/sandbox/src/recorder.rs). For each vendor in VENDORS that has a
document, every recorded request (method, path, query parameters, JSON body) is validated
against the document's operation, and every answer of the sandbox against the operation's
response schema for that status, with openapi-core, which reads the document: no shape is
copied here. What the document gets wrong is on the vendor's allow-list, each entry with
its evidence; what it does not describe is listed as such and counted, never checked.

The documents are not the project's to ship: their folder comes from DESKGATE_VENDOR_SPECS
(`.ci/run` points it at the shared reference). Without it, this says so and exits 0; a
vendor whose document is missing from the folder is skipped with a message.

    DESKGATE_VENDOR_SPECS=…/vendor python3 tests/conformance/check.py exchanges.jsonl

Exit status 1 lists every violation; 0 prints the counts checked per vendor.
"""

import fnmatch
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Allowed:
    """A place where the vendor's document is wrong, and why we say so.

    `operation` is "METHOD /template" as in the document, `status` the answer's status (None
    for the request), `at` a glob over the schema error's instance path ("tickets/*/via"),
    `says` a piece of the validator's message ("None is not of type").
    """

    operation: str
    status: int | None
    at: str
    says: str
    evidence: str


@dataclass(frozen=True)
class Vendor:
    name: str
    title: str
    # The document under DESKGATE_VENDOR_SPECS, or None with `no_document` saying why.
    spec: str | None
    host: str = ""
    # Headers every recorded request carried (the recorder keeps no headers, so secrets are
    # never written): what the document's security and header parameters ask for.
    headers: dict = field(default_factory=dict)
    # (method, path glob) → why the exchange is not held to the document.
    undocumented: dict = field(default_factory=dict)
    allowed: tuple = ()
    # The document's schema for refusals an operation does not declare, if it has one;
    # otherwise why such refusals are counted and not checked.
    error_schema: str | None = None
    undeclared_refusals: str = ""
    # (function on the document's data, why): where the document cannot be read as written.
    repairs: tuple = ()
    no_document: str = ""


# Zendesk's own Ruby client recorded these answers from a Zendesk account
# (zendesk/zendesk_api_client_rb @ df33a19, spec/vendor/cassettes/…).
USERS_CASSETTE = ("Zendesk's Ruby client's recording ZendeskAPI_User/read_ZendeskAPI_Client_users/"
                  "should_be_findable answers users with it null")
TICKETS_CASSETTE = ("Zendesk's Ruby client's recording ZendeskAPI_Ticket/read_ZendeskAPI_Client_"
                    "tickets/should_be_findable answers tickets with it null")
AUDIT_CASSETTE = ("Zendesk's Ruby client's recording ZendeskAPI_Ticket_Audit/ZendeskAPI_Ticket_"
                  "Audit_Event/should_side-load_events answers a tags `Change` event whose "
                  "`value` and `previous_value` are arrays of tags")
USER_OPERATIONS = ("GET /api/v2/users/me", "GET /api/v2/users/{user_id}", "GET /api/v2/users")
TICKET_OPERATIONS = (
    ("GET /api/v2/tickets", 200, "tickets/*/"),
    ("POST /api/v2/tickets", 201, "ticket/"),
    ("GET /api/v2/tickets/{ticket_id}", 200, "ticket/"),
    ("PUT /api/v2/tickets/{ticket_id}", 200, "ticket/"),
    ("GET /api/v2/incremental/tickets/cursor", 200, "tickets/*/"),
)


def nulls(operation: str, status: int, at: str, fields, evidence: str) -> tuple:
    """The document says these fields are never null; Zendesk answers null."""
    return tuple(Allowed(operation, status, f"{at}{f}", "None ", evidence) for f in fields)


def user_nulls() -> tuple:
    out = ()
    for operation in USER_OPERATIONS:
        at = "users/*/" if operation.endswith("/users") else "user/"
        out += nulls(operation, 200, at, ("alias", "details", "notes", "phone", "photo",
                                          "signature", "organization_id", "last_login_at"),
                     USERS_CASSETTE)
        out += nulls(operation, 200, at, ("shared_phone_number",),
                     "the document's own UserForAdmin schema and its user examples have it null")
        out += nulls(operation, 200, at, ("default_group_id",),
                     "the document's own UserRequest schema marks it nullable: a user in no "
                     "group has none")
    # Deliberate: the sandbox's odd-vendor scenario (`me_without_role`, the e2e test
    # an_account_whose_role_zendesk_leaves_out_connects_with_a_null_role) answers the
    # identity without a role; the connector must connect it with a null role.
    out += nulls("GET /api/v2/users/me", 200, "user/", ("role",),
                 "not the document's error: the sandbox leaves the role out on purpose, to hold "
                 "the connector to tolerating it")
    return out


def ticket_nulls() -> tuple:
    out = ()
    for operation, status, at in TICKET_OPERATIONS:
        out += nulls(operation, status, at, ("forum_topic_id", "recipient", "priority", "type",
                                             "custom_fields/*/value", "fields/*/value"),
                     TICKETS_CASSETTE)
    return out


def attachment_nulls() -> tuple:
    why = ("the document's own description of `height` and `width`: \"If height is unknown, "
           "returns null\", without `nullable`")
    out = ()
    for operation, status, at in (
        ("GET /api/v2/tickets/{ticket_id}/comments", 200, "comments/*/attachments/*/"),
        ("POST /api/v2/uploads", 201, "upload/attachment/"),
        ("POST /api/v2/uploads", 201, "upload/attachments/*/"),
        ("PUT /api/v2/tickets/{ticket_id}", 200, "audit/events/*/attachments/*/"),
        ("POST /api/v2/tickets", 201, "audit/events/*/attachments/*/"),
    ):
        out += nulls(operation, status, at, ("height", "width"), why)
    return out


def cursor_page_is_an_object(spec: dict) -> None:
    """`DualPaginationPage` is a `deepObject` parameter whose schema is `oneOf` an integer and
    an object; OpenAPI 3.0 defines `deepObject` for objects only, and openapi-core cannot read
    it. deskgate sends the cursor form (`page[size]`, `page[after]`): the object branch is
    kept. An offset `page=2` on these operations is then not checked."""
    param = spec["components"]["parameters"]["DualPaginationPage"]
    param["schema"] = next(s for s in param["schema"]["oneOf"] if s.get("type") == "object")


ZENDESK_ALLOWED = user_nulls() + ticket_nulls() + attachment_nulls() + (
    Allowed("GET /api/v2/incremental/tickets/cursor", 200, "tickets/*/status", "'deleted' is not one of",
            "the document's own `exclude_deleted` parameter of this export exists because "
            "deleted tickets are exported, with status `deleted` (Zendesk's guide, Using the "
            "Incremental Export API: Excluding deleted tickets)"),
    Allowed("PUT /api/v2/tickets/{ticket_id}", 200, "audit/events/*/value", "is not of type",
            AUDIT_CASSETTE),
    Allowed("PUT /api/v2/tickets/{ticket_id}", 200, "audit/events/*/previous_value", "is not of type",
            AUDIT_CASSETTE),
)


VENDORS = (
    Vendor(
        name="intercom",
        title="Intercom's OpenAPI 2.16",
        spec="intercom/api.intercom.io.2.16.yaml",
        host="https://api.intercom.io",
        headers={"Authorization": "Bearer recorded", "Intercom-Version": "2.16"},
        undocumented={
            ("POST", "/auth/eagle/token"): "the OAuth token endpoint, documented in Intercom's "
            "OAuth guide and not in the REST API document",
        },
        error_schema="error",
    ),
    Vendor(
        name="zendesk",
        title="Zendesk's Support API OpenAPI document (2.0.0)",
        spec="zendesk/zendesk-support-api.oas.yaml",
        host="https://acme.zendesk.com",
        headers={"Authorization": "Basic cmVjb3JkZWQ6cmVjb3JkZWQ="},
        undocumented={
            ("GET", "/oauth/authorizations/new"): "the consent page a person's browser opens, "
            "not an API call",
            ("POST", "/oauth/authorizations"): "the consent form a person's browser posts, not "
            "an API call",
            ("*", "/api/v2/webhooks*"): "tests register Zendesk webhooks as the tenant, through "
            "the gateway's passthrough (not the connector); the Webhooks API has its own "
            "document, not this Support one",
        },
        allowed=ZENDESK_ALLOWED,
        repairs=((cursor_page_is_an_object, cursor_page_is_an_object.__doc__),),
        undeclared_refusals="the document declares no refusal on the operations deskgate "
        "calls, and its `Errors` schema (JSON:API `errors: [{code, title}]`) is not what "
        "the Support API answers: Zendesk's own Ruby client recorded "
        '`404 {"error":"RecordNotFound","description":"Not found"}` and `422 '
        '{"error":"RecordInvalid","description":…,"details":…}` against a Zendesk account '
        "(zendesk_api_client_rb, spec/vendor/cassettes); the connector's fixture tests hold "
        "those shapes",
    ),
    Vendor(
        name="freshdesk",
        title="Freshdesk",
        spec=None,
        no_document="Freshdesk publishes no OpenAPI document, so its exchanges are counted, not "
        "checked. The only machine-readable Freshdesk samples found are a third-party "
        "library's hand-edited test payloads: a shape inferred from them would be the "
        "project's own guess, and a mismatch would not say whether the sandbox or the sample "
        "is wrong. The Freshdesk connector's fixture tests hold its documented shapes",
    ),
)


def main() -> int:
    folder = os.environ.get("DESKGATE_VENDOR_SPECS")
    if not folder:
        print("skipped: DESKGATE_VENDOR_SPECS is not set (the folder holding the vendors' "
              "OpenAPI documents: " + ", ".join(v.spec for v in VENDORS if v.spec) + ")")
        return 0
    if not Path(folder).is_dir():
        print(f"skipped: DESKGATE_VENDOR_SPECS names no folder ({folder})")
        return 0
    if len(sys.argv) != 2:
        print("usage: check.py EXCHANGES.jsonl", file=sys.stderr)
        return 2
    exchanges = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
    failed = False
    for vendor in VENDORS:
        print(f"== {vendor.name}")
        if vendor.spec is None:
            recorded = sum(1 for x in exchanges if x["vendor"] == vendor.name)
            print(f"not checked: {vendor.no_document} ({recorded} exchanges recorded)")
            continue
        spec_path = Path(folder) / vendor.spec
        if not spec_path.is_file():
            print(f"skipped: no {vendor.spec} under {folder}")
            continue
        mine = [x for x in exchanges if x["vendor"] == vendor.name]
        if not mine:
            print(f"no {vendor.name} exchanges were recorded: run the e2e tests with "
                  "DESKGATE_SANDBOX_RECORD set")
            failed = True
            continue
        failed |= check(vendor, spec_path, mine)
    return 1 if failed else 0


def load_yaml(path: Path) -> dict:
    """The document as data. PyYAML reads YAML 1.1, where a bare `=` is the `value` tag:
    Zendesk's document has `- change: =`, which is the string "=" in YAML 1.2."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(path.read_text(), Loader=Loader)


def check(vendor: Vendor, spec_path: Path, lines: list) -> bool:
    """Checks one vendor's exchanges; True when any violates the document."""
    from openapi_core import Config, OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    spec_dict = load_yaml(spec_path)
    for repair, why in vendor.repairs:
        repair(spec_dict)
        print("read with a repair: " + " ".join(why.split()))
    # Both documents have flaws the spec validator refuses (an undeclared path parameter on
    # an endpoint deskgate never calls), so they are read unvalidated.
    openapi = OpenAPI.from_dict(spec_dict, config=Config(spec_validator_cls=None))
    templates = [str(p.parts[-1]) for p in openapi.spec / "paths"]
    problems = []
    checked = Counter()
    skipped = Counter()
    allowed_used = Counter()
    passed_by_allowance = 0
    for n, x in enumerate(lines, 1):
        before = sum(allowed_used.values())
        why = undocumented(vendor, x)
        if why is not None:
            skipped[f"{x['method']} {template(templates, x['path'])}: {why}"] += 1
            continue
        args = {k: v[0] for k, v in parse_qs(x["query"] or "", keep_blank_values=True).items()}
        body = x["request_body"].encode() if x["request_body"] else None
        request = MockRequest(
            vendor.host,
            x["method"].lower(),
            x["path"],
            args=args,
            headers=vendor.headers,
            data=body,
            content_type=x["request_content_type"] or "application/json",
        )
        operation = f"{x['method']} {template(templates, x['path'])}"
        try:
            openapi.validate_request(request)
        except Exception as e:  # every validation error names itself
            rest = unallowed(vendor, operation, None, e, allowed_used)
            if rest:
                problems.append(f"#{n} request {x['method']} {x['path']}: {type(e).__name__}: {rest}")
                continue
        status = x["status"]
        if status == 429 or status >= 500:
            # Injected faults and rate limits: their bodies are checked by the sandbox's own
            # tests; the documents declare neither on most operations.
            checked["faults (not held to the document)"] += 1
            continue
        response = MockResponse(
            x["response_body"].encode(),
            status_code=status,
            content_type=(x["response_content_type"] or "application/json").split(";")[0],
        )
        try:
            openapi.validate_response(request, response)
        except Exception as e:
            if type(e).__name__ == "ResponseNotFound" and 400 <= status < 500:
                # A refusal the operation does not declare (a 404 on a read of a deleted
                # ticket): held to the document's own error schema when it has one.
                if vendor.error_schema is None:
                    checked[f"{operation} ({status}, undeclared refusal, not checked)"] += 1
                    continue
                failure = error_violation(spec_dict, vendor.error_schema, x["response_body"])
                if failure is None:
                    checked[f"{operation} ({status}, {vendor.error_schema} schema)"] += 1
                    continue
                problems.append(f"#{n} response {status} to {x['method']} {x['path']}: {failure}")
                continue
            rest = unallowed(vendor, operation, status, e, allowed_used)
            if rest:
                problems.append(f"#{n} response {status} to {x['method']} {x['path']}: "
                                f"{type(e).__name__}: {rest}")
                continue
        checked[f"{operation} ({status})"] += 1
        if sum(allowed_used.values()) != before:
            passed_by_allowance += 1
    for p in problems:
        print(p)
    total = sum(checked.values())
    print(f"{total} exchanges held to {vendor.title}, {len(problems)} violations, "
          f"{sum(skipped.values())} on endpoints the document does not describe, "
          f"{passed_by_allowance} of them passed only through the allow-list")
    for op, count in sorted(checked.items()):
        print(f"  {count:5} {op}")
    if skipped:
        print("not held to the document:")
        for op, count in sorted(skipped.items()):
            print(f"  {count:5} {op}")
    if vendor.undeclared_refusals and any("undeclared refusal" in op for op in checked):
        print(f"undeclared refusals are not checked: {vendor.undeclared_refusals}")
    if allowed_used:
        print("allowed where the document is wrong (exchanges that needed each entry):")
        for a, count in sorted(allowed_used.items(), key=lambda i: i[0].operation):
            print(f"  {count:5} {a.operation} {a.status or 'request'} {a.at}: {a.says!r}\n"
                  f"        evidence: {a.evidence}")
    unused = [a for a in vendor.allowed if a not in allowed_used]
    if unused:
        # Entries are written per field and per operation; which ones a run needs depends on
        # the data the tests touched, so an unused one is reported, not failed.
        print(f"{len(unused)} allow-list entries no exchange needed in this recording")
    return bool(problems)


def undocumented(vendor: Vendor, x: dict):
    for (method, glob), why in vendor.undocumented.items():
        if method in ("*", x["method"]) and fnmatch.fnmatchcase(x["path"], glob):
            return why
    return None


def schema_errors(e: Exception) -> list:
    """The schema errors under an openapi-core error, as (instance path, message)."""
    found = []
    cause = e
    while cause is not None:
        for inner in getattr(cause, "schema_errors", None) or []:
            found.extend(leaves(inner))
        cause = cause.__cause__
    return found


def leaves(error) -> list:
    """A `oneOf`/`anyOf` failure is the failures of its branches: report those."""
    context = list(getattr(error, "context", None) or [])
    if not context:
        return [("/".join(str(p) for p in error.absolute_path), error.message)]
    out = []
    for inner in context:
        out.extend(leaves(inner))
    return out


def unallowed(vendor: Vendor, operation: str, status, e: Exception, used: Counter) -> str:
    """What in `e` the vendor's allow-list does not cover ("" when it covers all)."""
    errors = schema_errors(e)
    if not errors:
        return str(e)[:300]
    rest = []
    matched = set()
    for path, message in errors:
        match = next((a for a in vendor.allowed
                      if a.operation == operation and a.status == status
                      and fnmatch.fnmatchcase(path, a.at) and a.says in message), None)
        if match is None:
            rest.append(f"{path or '(root)'}: {message[:200]}")
        else:
            matched.add(match)
    # Counted once per exchange, however many items of a list it covered.
    used.update(matched)
    return "; ".join(rest)


def error_violation(spec: dict, name: str, body: str):
    """Why `body` is not the document's schema `name`, or None."""
    import jsonschema

    schema = dict(spec["components"]["schemas"][name])
    schema["components"] = spec["components"]
    try:
        jsonschema.validate(json.loads(body), schema)
    except (ValueError, jsonschema.ValidationError) as e:
        return f"not the document's {name} object: {str(e)[:300]}"
    return None


def template(templates: list, path: str) -> str:
    """The document's path template for a recorded path (the most literal match)."""
    segments = path.strip("/").split("/")
    best, best_literal = path, -1
    for name in templates:
        t = name.strip("/").split("/")
        if len(t) != len(segments):
            continue
        if not all(re.fullmatch(r"\{[^}]+\}", a) or a == b for a, b in zip(t, segments)):
            continue
        literal = sum(1 for a, b in zip(t, segments) if a == b)
        if literal > best_literal:
            best, best_literal = name, literal
    return best


if __name__ == "__main__":
    sys.exit(main())
