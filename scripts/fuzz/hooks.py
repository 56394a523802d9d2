"""Schemathesis hooks for `npm run fuzz` (loaded through SCHEMATHESIS_HOOKS).

Three things:

* `no_internal_error`, the check that decides pass or fail. Schemathesis's own
  `not_a_server_error` treats every GraphQL error that carries a `path` as a
  server error, so an expected NOT_FOUND or FORBIDDEN from a resolver would
  count as a failure. Chirp labels every error with `extensions.code` (see
  packages/platform/src/graphql-errors.ts), so this check fails exactly on:
  an HTTP status of 500 or more, a body that is not a JSON object, and any
  error whose code is INTERNAL_SERVER_ERROR, missing or not one the API
  promises.
* `before_call`, which sends about half of the generated operations (chosen by
  a hash of the query, so a seed still replays a run) with their argument
  values hoisted into `variables`, typed as the schema declares each
  argument: `tweet(id: 0.0)` goes out as `query($v0: ID!) { tweet(id: $v0) }`
  with `{"v0": 0.0}`. Schemathesis writes every value inline; clients send
  variables, which the server coerces on another path (FUZZ_VARIABLES sets
  the share, 0 to 1).
* `after_call` / `after_network_error`, which append one JSON line per request
  sent to FUZZ_LOG, so run.js can count the operations generated, the 5xx
  answers and the internal errors independently of Schemathesis's own
  bookkeeping, and keep the exact operation and variables of each failure.
"""

from __future__ import annotations

import json
import os
import threading
import zlib

import schemathesis
from graphql import (
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    parse,
    parse_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)
from graphql.language import ArgumentNode, DocumentNode, NameNode, VariableDefinitionNode, VariableNode

# The codes API.md promises besides INTERNAL_SERVER_ERROR: a resolver saying
# "no" to a generated request in one of these words is the API working.
EXPECTED_CODES = frozenset(
    {"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "RATE_LIMITED"}
)

_LOG_PATH = os.environ.get("FUZZ_LOG")
_VARIABLES_SHARE = float(os.environ.get("FUZZ_VARIABLES", "0.5"))
_LOCK = threading.Lock()


def _payload(response):
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - any undecodable body is reported as such
        return None


def _bad_errors(payload):
    """The errors in a GraphQL answer that are ours rather than the client's."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return []
    bad = []
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if code not in EXPECTED_CODES:
            bad.append(error)
    return bad


def _request_body(response):
    body = getattr(response.request, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def _write(line):
    if not _LOG_PATH:
        return
    text = json.dumps(line, ensure_ascii=False, default=str)
    with _LOCK, open(_LOG_PATH, "a", encoding="utf-8") as log:
        log.write(text + "\n")


class _Hoist(Visitor):
    """Replaces each literal argument value the schema knows the type of with a variable."""

    def __init__(self, type_info):
        super().__init__()
        self.type_info = type_info
        self.definitions = []
        self.values = {}

    def enter_argument(self, node, *_args):
        argument = self.type_info.get_argument()
        if argument is None:
            return None  # an argument the schema does not have: left as generated
        try:
            value = value_from_ast_untyped(node.value)
        except Exception:  # noqa: BLE001 - a value this cannot read is left inline
            return None
        name = f"v{len(self.definitions)}"
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type))))
        self.values[name] = value
        return ArgumentNode(name=node.name, value=variable)


def hoist_variables(schema, query):
    """The operation with its argument values as variables, or None when it has none to hoist."""
    try:
        document = parse(query)
    except Exception:  # noqa: BLE001 - a document that does not parse is sent as generated
        return None
    operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].variable_definitions:
        return None
    type_info = TypeInfo(schema)
    hoist = _Hoist(type_info)
    edited = visit(document, TypeInfoVisitor(type_info, hoist))
    if not hoist.definitions:
        return None
    # The AST is immutable: a new operation node with the definitions, in a new document.
    definitions = tuple(
        OperationDefinitionNode(
            operation=node.operation,
            name=node.name,
            variable_definitions=tuple(hoist.definitions),
            directives=node.directives,
            selection_set=node.selection_set,
        )
        if isinstance(node, OperationDefinitionNode)
        else node
        for node in edited.definitions
    )
    return {"query": print_ast(DocumentNode(definitions=definitions)), "variables": hoist.values}


@schemathesis.hook
def before_call(context, case, kwargs):
    query = case.body
    if not isinstance(query, str) or _VARIABLES_SHARE <= 0:
        return
    if zlib.crc32(query.encode("utf-8", "surrogatepass")) % 1000 >= _VARIABLES_SHARE * 1000:
        return
    schema = getattr(case.operation.schema, "client_schema", None)
    if schema is None:
        return
    body = hoist_variables(schema, query)
    if body is not None:
        kwargs["json"] = body  # replaces the generated body on the wire


@schemathesis.check
def no_internal_error(ctx, response, case):
    """No 5xx, a JSON object body, and no INTERNAL_SERVER_ERROR (or uncoded) GraphQL error."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    payload = _payload(response)
    if not isinstance(payload, dict):
        raise AssertionError("the answer is not a JSON object")
    bad = _bad_errors(payload)
    if bad:
        first = bad[0]
        code = (first.get("extensions") or {}).get("code") if isinstance(first, dict) else None
        message = first.get("message") if isinstance(first, dict) else str(first)
        raise AssertionError(f"{code or 'no code'}: {message} (path {first.get('path') if isinstance(first, dict) else None})")
    return None


@schemathesis.hook
def after_call(context, case, response):
    payload = _payload(response)
    errors = payload.get("errors") if isinstance(payload, dict) else None
    codes = sorted(
        {
            str((error.get("extensions") or {}).get("code"))
            for error in (errors if isinstance(errors, list) else [])
            if isinstance(error, dict)
        }
    )
    bad = _bad_errors(payload) if isinstance(payload, dict) else None
    failed = response.status_code >= 500 or not isinstance(payload, dict) or bool(bad)
    line = {
        "operation": case.operation.label,
        "status": response.status_code,
        "codes": codes,
        "elapsed": round(response.elapsed, 4),
        "failed": failed,
        "request": _request_body(response),
    }
    if failed:
        line["errors"] = bad if bad else None
        line["body"] = None if isinstance(payload, dict) else response.text[:2000]
    _write(line)


@schemathesis.hook
def after_network_error(context, case, request):
    body = getattr(request, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    _write({"operation": case.operation.label, "status": None, "network_error": True, "failed": True, "request": body})
