"""Documents a JSON Schema of tap/schemas allows, as a hypothesis strategy.

Only the keywords those schemas use are understood (`KEYWORDS`); a schema using any other is
refused rather than half-honoured, so a document drawn here is always one the schema allows.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.fuzz.hostile import JSON_VALUES

# Keywords that only describe; the rest constrain, and each is honoured below.
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KEYWORDS = ANNOTATIONS | {
    "type", "properties", "required", "additionalProperties", "propertyNames", "minProperties",
    "items", "minItems", "uniqueItems", "enum", "const", "pattern", "format", "minimum", "maximum",
    "oneOf", "$ref",
}  # fmt: skip
TEXT_FORMATS = {"date": st.dates().map(lambda day: day.isoformat())}


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Every document `schema` allows (of small size): its own `$defs` resolve its `$ref`s."""
    return _strategy(schema, schema.get("$defs", {}))


def keywords(schema: Any) -> set[str]:
    """Every keyword a schema uses, at any depth (property names are not keywords)."""
    if isinstance(schema, list):
        return set().union(*(keywords(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        nested = value.values() if key in ("properties", "$defs") else [value]
        found |= set().union(*(keywords(item) for item in nested))
    return found


def _strategy(schema: dict[str, Any], definitions: dict[str, Any]) -> st.SearchStrategy[Any]:
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"the fuzz suite does not understand the keywords {sorted(unknown)}")
    if not set(schema) - ANNOTATIONS:  # any value at all
        return JSON_VALUES
    if "$ref" in schema:
        return _strategy(definitions[schema["$ref"].removeprefix("#/$defs/")], definitions)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "oneOf" in schema:
        return st.one_of(*(_strategy(option, definitions) for option in schema["oneOf"]))
    types = schema.get("type", ["null", "boolean", "integer", "number", "string", "array", "object"])
    return st.one_of(*(_typed(kind, schema, definitions) for kind in ([types] if isinstance(types, str) else types)))


def _typed(kind: str, schema: dict[str, Any], definitions: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if kind == "object":
        return _object(schema, definitions)
    if kind == "array":
        items = _strategy(schema.get("items", {}), definitions) if "items" in schema else JSON_VALUES
        unique = schema.get("uniqueItems", False)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=4, unique_by=repr if unique else None)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return TEXT_FORMATS.get(schema.get("format"), st.text(max_size=30))
    if kind == "integer":
        return st.integers(min_value=low, max_value=high)
    if kind == "number":
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False) | st.integers(
            min_value=None if low is None else int(low), max_value=None if high is None else int(high)
        )
    return {"null": st.none(), "boolean": st.booleans()}[kind]


def _object(schema: dict[str, Any], definitions: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = {key: _strategy(properties.get(key, {}), definitions) for key in schema.get("required", [])}
    optional = {key: _strategy(value, definitions) for key, value in properties.items() if key not in required}
    extra = schema.get("additionalProperties", {})
    names = _strategy(schema["propertyNames"], definitions) if "propertyNames" in schema else st.text(max_size=12)
    others = (
        st.dictionaries(names.filter(lambda key: key not in properties), _strategy(extra, definitions), max_size=3)
        if extra is not False
        else st.just({})
    )
    return st.builds(
        lambda fixed, more: {**more, **fixed},
        st.fixed_dictionaries(required, optional=optional),
        others,
    ).filter(lambda document: len(document) >= schema.get("minProperties", 0))
