"""The POS API's OpenAPI 3.1 document (docs/pos-api.yaml): loading it, checking it, and finding the
response a reply must match.

Document checks (check_document): it parses; `openapi` is 3.1.x; every $ref resolves inside the
document; every schema is a valid JSON Schema draft 2020-12 schema and uses no keyword that
draft 2020-12 or OpenAPI 3.1 does not define (a misspelt keyword is otherwise silently ignored);
every operation has responses, each with a description; every path template's parameters are
declared as required path parameters, and every declared path parameter is in the template.
Against the daemon's sources (optional): the Problem schema's `type` enum is exactly the URNs of
api/problem.cc, and the operations are exactly the routes table of api/routes.h.

Used by check_contract.py; Debian's python3-yaml and python3-jsonschema (4.10) only.
"""

import re

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Every keyword of JSON Schema draft 2020-12 (core, applicator, unevaluated, validation,
# meta-data, format, content) and the ones OpenAPI 3.1 adds to the Schema Object.
SCHEMA_KEYWORDS = {
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
    "$comment", "$defs", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "dependentSchemas", "prefixItems", "items", "contains", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "type",
    "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains",
    "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "title",
    "description", "default", "deprecated", "readOnly", "writeOnly", "examples", "format",
    "contentEncoding", "contentMediaType", "contentSchema",
    "discriminator", "xml", "externalDocs", "example",
}
SUBSCHEMA = ("not", "if", "then", "else", "items", "contains", "additionalProperties",
             "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


class DocumentError(Exception):
    """The document cannot be read at all (not YAML, not a mapping)."""


def load(path):
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except (OSError, yaml.YAMLError) as error:
        raise DocumentError(f"{path}: cannot be read as YAML: {error}") from error
    if not isinstance(document, dict):
        raise DocumentError(f"{path}: the document is not a YAML mapping")
    return document


def pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def resolve_pointer(document, ref):
    """The node a local $ref ("#/components/schemas/X") names, or None."""
    if not ref.startswith("#"):
        return None
    node = document
    for token in ref[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def deref(document, node, hops_max=16):
    """A Reference Object (of a path item, response or parameter; not of a schema) followed to
    what it names; None when it does not resolve."""
    for _ in range(hops_max):
        if not (isinstance(node, dict) and "$ref" in node):
            return node
        node = resolve_pointer(document, node["$ref"])
    return None


def walk(node, location):
    """Every (location, mapping) of the document, depth first."""
    if isinstance(node, dict):
        yield location, node
        for key, value in node.items():
            yield from walk(value, f"{location}/{pointer_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{location}/{index}")


def check_refs(document):
    problems = []
    for location, node in walk(document, "#"):
        ref = node.get("$ref")
        if isinstance(ref, str) and resolve_pointer(document, ref) is None:
            problems.append(f"{location}: $ref '{ref}' does not resolve in the document")
    return problems


def schema_locations(document):
    """(location, schema) of every schema: components, parameters, headers, media types."""
    for name, schema in (document.get("components", {}).get("schemas") or {}).items():
        yield f"#/components/schemas/{pointer_escape(name)}", schema
    for location, node in walk(document, "#"):
        if location.startswith("#/components/schemas"):
            continue
        for key in ("schema", "x-websocket-messages"):
            if key in node and isinstance(node[key], (dict, bool)):
                yield f"{location}/{key}", node[key]


def unknown_keywords(schema, location):
    if not isinstance(schema, dict):
        return []
    problems = [f"{location}: unknown schema keyword '{key}'" for key in schema
                if key not in SCHEMA_KEYWORDS and not str(key).startswith("x-")]
    for key in SUBSCHEMA:
        if key in schema:
            problems += unknown_keywords(schema[key], f"{location}/{key}")
    for key in SUBSCHEMA_LISTS:
        for index, item in enumerate(schema.get(key) or []):
            problems += unknown_keywords(item, f"{location}/{key}/{index}")
    for key in SUBSCHEMA_MAPS:
        for name, item in (schema.get(key) or {}).items():
            problems += unknown_keywords(item, f"{location}/{key}/{pointer_escape(name)}")
    return problems


def check_schemas(document):
    problems = []
    for location, schema in schema_locations(document):
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as error:
            where = "/".join(pointer_escape(part) for part in error.path)
            problems.append(f"{location}{'/' + where if where else ''}: not a valid draft "
                            f"2020-12 schema: {error.message}")
        problems += unknown_keywords(schema, location)
    return problems


def operations(document):
    """(path, method, path item, operation) of every operation."""
    for path, item in (document.get("paths") or {}).items():
        item = deref(document, item) or {}
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item, item[method]


def check_responses(document, responses, location):
    if not isinstance(responses, dict) or not responses:
        return [f"{location}: the operation has no responses"]
    problems = []
    for status, response in responses.items():
        if not re.fullmatch(r"[1-5](\d\d|XX)|default", str(status)):
            problems.append(f"{location}/{status}: not an HTTP status")
        response = deref(document, response)
        if not isinstance(response, dict) or "description" not in response:
            problems.append(f"{location}/{status}: a response needs a description")
    return problems


def declared_path_parameters(document, item, operation):
    names = {}
    for parameter in (item.get("parameters") or []) + (operation.get("parameters") or []):
        parameter = deref(document, parameter) or {}
        if parameter.get("in") == "path":
            names[parameter.get("name")] = parameter.get("required") is True
    return names


def check_operations(document):
    problems = []
    seen_ids = {}
    for path, method, item, operation in operations(document):
        location = f"#/paths/{pointer_escape(path)}/{method}"
        problems += check_responses(document, operation.get("responses"),
                                    f"{location}/responses")
        declared = declared_path_parameters(document, item, operation)
        in_template = re.findall(r"\{([^}]+)\}", path)
        for name in in_template:
            if name not in declared:
                problems.append(f"{location}: path parameter '{name}' is not declared")
            elif not declared[name]:
                problems.append(f"{location}: path parameter '{name}' must be required: true")
        for name in declared:
            if name not in in_template:
                problems.append(f"{location}: parameter '{name}' is not in the path")
        operation_id = operation.get("operationId")
        if operation_id in seen_ids:
            problems.append(f"{location}: operationId '{operation_id}' is also "
                            f"{seen_ids[operation_id]}'s")
        seen_ids[operation_id] = location
    if not seen_ids:
        problems.append("#/paths: the document has no operations")
    unmatched = document.get("x-unmatched-requests")
    if unmatched is not None:
        problems += check_responses(document, unmatched.get("responses"),
                                    "#/x-unmatched-requests/responses")
    return problems


def problem_types_of_source(problem_cc):
    with open(problem_cc, encoding="utf-8") as source:
        text = source.read()
    return {f"urn:loyalty:problem:{slug}": int(status)
            for status, slug in re.findall(r"\{(\d{3}), \"([a-z-]+)\",", text)}


def check_problem_types(document, problem_cc):
    problem = (document.get("components", {}).get("schemas") or {}).get("Problem") or {}
    documented = set(problem.get("properties", {}).get("type", {}).get("enum") or [])
    statuses = set(problem.get("properties", {}).get("status", {}).get("enum") or [])
    source = problem_types_of_source(problem_cc)
    if not source:
        return [f"{problem_cc}: no problem types found (its table's format changed?)"]
    problems = [f"#/components/schemas/Problem: type '{urn}' of {problem_cc} is not in the enum"
                for urn in sorted(set(source) - documented)]
    problems += [f"#/components/schemas/Problem: type '{urn}' is not one of {problem_cc}"
                 for urn in sorted(documented - set(source))]
    problems += [f"#/components/schemas/Problem: status {status} of {problem_cc} is not in "
                 f"the status enum" for status in sorted(set(source.values()) - statuses)]
    return problems


def routes_of_source(routes_h):
    """{(METHOD, path with "{}" for each parameter): operation} of the table in routes.h."""
    with open(routes_h, encoding="utf-8") as source:
        text = source.read()
    table = re.findall(r"^//\s+(GET|POST|PUT|DELETE|PATCH)\s+(/v1/\S*)\s+(\w+)", text, re.M)
    return {(method, re.sub(r"\{[^}]*\}", "{}", path)): name for method, path, name in table}


def check_routes(document, routes_h):
    source = routes_of_source(routes_h)
    if not source:
        return [f"{routes_h}: no routes table found (its format changed?)"]
    documented = {(method.upper(), re.sub(r"\{[^}]*\}", "{}", path)): operation.get("operationId")
                  for path, method, _, operation in operations(document)}
    problems = []
    for key in sorted(set(source) | set(documented)):
        if key not in documented:
            problems.append(f"#/paths: {key[0]} {key[1]} ({source[key]}) of {routes_h} is not "
                            f"in the document")
        elif key not in source:
            problems.append(f"#/paths: {key[0]} {key[1]} is not a route of {routes_h}")
        elif source[key] != documented[key]:
            problems.append(f"#/paths: {key[0]} {key[1]} is '{source[key]}' in {routes_h} but "
                            f"operationId '{documented[key]}' here")
    return problems


def check_document(document, problem_cc=None, routes_h=None):
    """Every fault of the document, each a line naming its location; [] when it is sound."""
    version = str(document.get("openapi", ""))
    problems = []
    if not re.fullmatch(r"3\.1\.\d+", version):
        problems.append(f"#/openapi: must be 3.1.x, got '{version}'")
    if not isinstance(document.get("info"), dict) or "title" not in document["info"] \
            or "version" not in document["info"]:
        problems.append("#/info: needs a title and a version")
    problems += check_refs(document)
    problems += check_schemas(document)
    problems += check_operations(document)
    if problem_cc:
        problems += check_problem_types(document, problem_cc)
    if routes_h:
        problems += check_routes(document, routes_h)
    return problems
