#!/usr/bin/env python3
"""Holds recorded Intercom exchanges against Intercom's own OpenAPI 2.16 document.

Every request the connector sent through the e2e tests (method, path, query parameters,
headers such as `Intercom-Version`, JSON body) is validated against the document's
operation, and every answer of the sandbox against the operation's response schema for that
status, with openapi-core (which reads the document; no shape is copied here).

The document is not the project's to ship: its folder comes from DESKGATE_VENDOR_SPECS
(`.ci/run` points it at the shared reference). Without it, this says so and exits 0.

    DESKGATE_VENDOR_SPECS=…/vendor python3 tests/conformance/intercom.py exchanges.jsonl

Exit status 1 lists every violation; 0 prints the counts checked.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

SPEC = "intercom/api.intercom.io.2.16.yaml"
HOST = "https://api.intercom.io"
# Not in the document: the OAuth token endpoint (documented in Intercom's OAuth guide).
UNDOCUMENTED = {("POST", "/auth/eagle/token")}


def main() -> int:
    folder = os.environ.get("DESKGATE_VENDOR_SPECS")
    if not folder:
        print("skipped: DESKGATE_VENDOR_SPECS is not set (the folder holding intercom/api.intercom.io.2.16.yaml)")
        return 0
    spec_path = Path(folder) / SPEC
    if not spec_path.is_file():
        print(f"skipped: no {SPEC} under {folder}")
        return 0
    if len(sys.argv) != 2:
        print("usage: intercom.py EXCHANGES.jsonl", file=sys.stderr)
        return 2
    import yaml
    from openapi_core import Config, OpenAPI
    from openapi_core.testing import MockRequest, MockResponse
    from urllib.parse import parse_qs

    # The document itself has a flaw the spec validator refuses (an undeclared path
    # parameter on a reporting endpoint deskgate never calls), so it is read unvalidated.
    spec_dict = yaml.safe_load(spec_path.read_text())
    openapi = OpenAPI.from_dict(spec_dict, config=Config(spec_validator_cls=None))
    lines = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
    lines = [l for l in lines if l["vendor"] == "intercom"]
    if not lines:
        print("no intercom exchanges were recorded: run the e2e tests with DESKGATE_SANDBOX_RECORD set")
        return 1
    problems = []
    checked = Counter()
    skipped = Counter()
    for n, x in enumerate(lines, 1):
        key = (x["method"], x["path"])
        if key in UNDOCUMENTED:
            skipped[f"{x['method']} {x['path']}"] += 1
            continue
        args = {k: v[0] for k, v in parse_qs(x["query"] or "", keep_blank_values=True).items()}
        body = x["request_body"].encode() if x["request_body"] else None
        request = MockRequest(
            HOST,
            x["method"].lower(),
            x["path"],
            args=args,
            headers={"Authorization": "Bearer recorded", "Intercom-Version": "2.16"},
            data=body,
            content_type=x["request_content_type"] or "application/json",
        )
        operation = f"{x['method']} {x['path']}"
        try:
            openapi.validate_request(request)
        except Exception as e:  # every validation error names itself
            problems.append(f"#{n} request {operation}: {type(e).__name__}: {describe(e)}")
            continue
        status = x["status"]
        if status == 429 or status >= 500:
            # Injected faults and rate limits: their bodies are checked by the sandbox's own
            # tests; the document declares neither on most operations.
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
                # ticket): held to the document's own `error` schema instead.
                failure = error_violation(spec_dict, x["response_body"])
                if failure is None:
                    checked[f"{x['method']} {template(openapi, x)} ({status}, error schema)"] += 1
                    continue
                problems.append(f"#{n} response {status} to {operation}: {failure}")
                continue
            problems.append(f"#{n} response {status} to {operation}: {type(e).__name__}: {describe(e)}")
            continue
        checked[f"{x['method']} {template(openapi, x)}"] += 1
    for p in problems:
        print(p)
    total = sum(checked.values())
    print(f"{total} exchanges held to Intercom's OpenAPI 2.16, {len(problems)} violations, "
          f"{sum(skipped.values())} on endpoints the document does not describe")
    for op, count in sorted(checked.items()):
        print(f"  {count:5} {op}")
    return 1 if problems else 0


def describe(e: Exception) -> str:
    """What failed: the schema errors with their paths, not the value (which may be long)."""
    parts = []
    cause = e
    while cause is not None:
        errors = getattr(cause, "schema_errors", None) or []
        for inner in errors:
            path = "/".join(str(p) for p in inner.path) or "(root)"
            parts.append(f"{path}: {inner.message[:200]}")
        if not errors and not parts and cause.__cause__ is None:
            parts.append(str(cause)[:300])
        cause = cause.__cause__
    return "; ".join(parts)


def error_violation(spec: dict, body: str):
    """Why `body` is not the document's `error` object, or None."""
    import jsonschema

    schema = dict(spec["components"]["schemas"]["error"])
    schema["components"] = spec["components"]
    try:
        jsonschema.validate(json.loads(body), schema)
    except (ValueError, jsonschema.ValidationError) as e:
        return f"not the document's error object: {str(e)[:300]}"
    return None


def template(openapi, x) -> str:
    """The document's path template for a recorded path (the most literal match), for the
    summary."""
    segments = x["path"].strip("/").split("/")
    best, best_literal = x["path"], -1
    for path in openapi.spec / "paths":
        name = path.parts[-1] if hasattr(path, "parts") else str(path)
        t = name.strip("/").split("/")
        if len(t) != len(segments):
            continue
        if not all(a.startswith("{") or a == b for a, b in zip(t, segments)):
            continue
        literal = sum(1 for a, b in zip(t, segments) if a == b)
        if literal > best_literal:
            best, best_literal = name, literal
    return best


if __name__ == "__main__":
    sys.exit(main())
