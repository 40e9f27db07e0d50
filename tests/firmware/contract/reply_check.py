"""Checking replies of the daemon against the OpenAPI document.

A reply is a dict {"method", "path", "status", "content_type", "body"} (the contract record's
line, tests/firmware/daemon/daemon_fixture.cc), and optionally "headers" (lower-case names) when
the caller saw them. A reply matches when its path matches one of the document's path templates,
its method is an operation of that path, its status is one of the operation's responses, its
content type is one the response declares (or none, with an empty body, when it declares none),
its declared headers are present and valid, and its body validates against the response's schema
($refs resolved over the whole document). Requests that name no operation are checked against the
document's `x-unmatched-requests` responses instead: 404 for an unknown path, 405 for a known
path with another method.

Thread-safety: none needed (one check at a time). Debian's python3-jsonschema 4.10.
"""

import json
import re

import jsonschema

import openapi_document

REPLY_ERRORS_MAX = 3  # errors listed per reply: the first few say what is wrong
MESSAGE_CHARS_MAX = 240


def template_regex(path):
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("^" + "".join("[^/]+" if part.startswith("{") else re.escape(part)
                                    for part in parts) + "$")


def json_path(parts):
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


class Contract:
    """The document's operations, ready to match replies against. Borrows the document."""

    def __init__(self, document):
        self.document = document
        self.resolver = jsonschema.RefResolver(base_uri="", referrer=document)
        self.templates = [(template_regex(path), path) for path in document.get("paths") or {}]
        self.coverage = {}  # "METHOD /path/{template}" -> set of statuses seen
        for path, method, _, _ in openapi_document.operations(document):
            self.coverage[f"{method.upper()} {path}"] = set()

    def validate(self, instance, schema):
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        lines = []
        for error in errors[:REPLY_ERRORS_MAX]:
            leaf = jsonschema.exceptions.best_match([error])
            message = leaf.message
            if len(message) > MESSAGE_CHARS_MAX:
                message = message[:MESSAGE_CHARS_MAX] + "..."
            lines.append(f"{json_path(leaf.absolute_path)}: {message}")
        return lines

    def responses_for(self, reply):
        """(label, responses, operation key or None), or (label, None, None) with a reason."""
        method = str(reply.get("method", "")).lower()
        path = str(reply.get("path", ""))
        matched = [template for regex, template in self.templates if regex.match(path)]
        unmatched = (self.document.get("x-unmatched-requests") or {}).get("responses") or {}
        if len(matched) > 1:
            return f"{path} matches {', '.join(matched)}", None, None
        if not matched:
            allowed = {k: v for k, v in unmatched.items() if str(k) != "405"}
            return "a path not in the document", allowed, None
        item = openapi_document.deref(self.document, self.document["paths"][matched[0]]) or {}
        operation = item.get(method)
        if not isinstance(operation, dict):
            allowed = {k: v for k, v in unmatched.items() if str(k) != "404"}
            return f"{matched[0]}, which does not take {method.upper()}", allowed, None
        key = f"{method.upper()} {matched[0]}"
        return key, operation.get("responses") or {}, key

    def check(self, reply):
        """The mismatches of one reply, each a line; [] when it matches."""
        status = reply.get("status")
        name = f"{reply.get('method')} {reply.get('path')} {status}"
        label, responses, key = self.responses_for(reply)
        if responses is None:
            return [f"{name}: {label}"]
        response = None
        for candidate in (str(status), f"{int(status) // 100}XX" if isinstance(status, int)
                          else "", "default"):
            if candidate in responses:
                response = openapi_document.deref(self.document, responses[candidate])
                break
        if response is None:
            declared = ", ".join(str(code) for code in responses)
            return [f"{name}: status {status} is not declared for {label} (declared: {declared})"]
        if key is not None:
            self.coverage[key].add(status)
        return self.check_headers(name, reply, response) + self.check_body(name, reply, response)

    def check_headers(self, name, reply, response):
        seen = reply.get("headers")
        if seen is None:
            return []
        problems = []
        for header, spec in (response.get("headers") or {}).items():
            spec = openapi_document.deref(self.document, spec) or {}
            value = seen.get(header.lower())
            if value is None:
                problems.append(f"{name}: header {header} is missing")
            elif "schema" in spec:
                problems += [f"{name}: header {header}: {line}"
                             for line in self.validate(value, spec["schema"])]
        return problems

    def check_body(self, name, reply, response):
        content = response.get("content") or {}
        body = reply.get("body", "")
        content_type = str(reply.get("content_type", "")).split(";")[0].strip().lower()
        if not content:
            if body:
                return [f"{name}: the document declares no body, but the reply has one"]
            return []
        media = {str(k).lower(): v for k, v in content.items()}
        if content_type not in media:
            return [f"{name}: content type '{content_type}' is not declared "
                    f"(declared: {', '.join(media)})"]
        schema = (media[content_type] or {}).get("schema")
        if schema is None:
            return []
        try:
            instance = json.loads(body)
        except ValueError as error:
            return [f"{name}: the body is not JSON: {error}"]
        return [f"{name}: body: {line}" for line in self.validate(instance, schema)]

    def never_exercised(self):
        return sorted(key for key, statuses in self.coverage.items() if not statuses)

    def coverage_lines(self):
        return [f"  {key}: {' '.join(str(s) for s in sorted(statuses)) or '(none)'}"
                for key, statuses in sorted(self.coverage.items())]


def read_record(path):
    """The replies of a contract record file, and the problems of its malformed lines."""
    replies, problems = [], []
    with open(path, encoding="utf-8") as record:
        for number, line in enumerate(record, start=1):
            if not line.strip():
                continue
            try:
                reply = json.loads(line)
            except ValueError as error:
                problems.append(f"{path}:{number}: not JSON: {error}")
                continue
            missing = [key for key in ("method", "path", "status", "content_type", "body")
                       if key not in reply]
            if missing:
                problems.append(f"{path}:{number}: no {', '.join(missing)}")
                continue
            replies.append(reply)
    return replies, problems
