"""Schemathesis hooks for deskgate's contract run (tests/schemathesis/run).

One rule of the API cannot be said in OpenAPI: an `Idempotency-Key` names one request, so
the same key sent again with another body is refused (422 `idempotency_key_reused`), by
design. Generated cases reuse short keys ("0", "00") across bodies all the time, so each
call gets a fresh key when the generated one is valid; invalid keys (empty, too long, not
printable ASCII) go out as generated, so their refusal is still checked.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"[!-~]{1,255}")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and VALID_KEY.fullmatch(headers[name]):
            headers[name] = str(uuid.uuid4())
