"""Reads a standards template from a YAML or JSON file, with errors a person can act on.

A partnership writes its own template by hand, so every problem is reported with the file, the
line, the place in words ("standard 3, question 3.2") and what is wrong, and all of them at once.
"""

import difflib
import json
import re
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workflow.templates.spec import Loc, TemplateSpec

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)

# How a list item is named in a place: its noun, the field that identifies it, whether to quote it.
_ITEM_NAMES = {
    "values": ("value", "value", True),
    "standards": ("standard", "number", False),
    "questions": ("question", "ref", False),
}

# What a field expected, for pydantic's "wrong type" errors.
_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "list_type": 'a list (items starting with "- ")',
    "dict_type": 'a mapping of "name: text" pairs',
    "model_type": 'a mapping of "field: value" pairs',
    "model_attributes_type": 'a mapping of "field: value" pairs',
}


@dataclass(frozen=True)
class TemplateProblem:
    """One problem in a template file; `line` counts from 1 and is None when unknown."""

    filename: str
    line: int | None
    place: str
    problem: str

    def __str__(self) -> str:
        where = [self.filename, f"line {self.line}" if self.line else "", self.place]
        return ", ".join(part for part in where if part) + f": {self.problem}"


class TemplateFileError(Exception):
    """A template file that cannot be loaded; `errors` lists every problem found, in line order.

    `filename`, `line`, `place` and `problem` are those of the first problem.
    """

    def __init__(self, errors: list[TemplateProblem]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line or 0)
        first = self.errors[0]
        self.filename, self.line, self.place, self.problem = astuple(first)
        super().__init__("\n".join(str(error) for error in self.errors))


class _TemplateLoader(yaml.SafeLoader):
    """YAML that keeps what was typed: `ref: 1.10` stays "1.10" rather than the number 1.1, and
    `value: no` stays "no" rather than false. Only true/false are booleans, nothing is a date, and
    pydantic turns text into numbers where a field wants one."""


_TYPED_TAGS = (":bool", ":int", ":float", ":timestamp")
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(_TYPED_TAGS)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TemplateLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_template_file(path: str | Path) -> TemplateSpec:
    """Load and check a template file (.yaml, .yml or .json)."""
    filename = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise _error(filename, None, "", "file not found") from None
    except OSError as err:
        raise _error(filename, None, "", f"cannot read the file: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _error(filename, line, "", "the file is not UTF-8 text") from None
    return load_template_text(text, filename)


def load_template_text(text: str, filename: str) -> TemplateSpec:
    """Check a template's text; `filename` names it in errors and its suffix picks the format."""
    suffix = Path(filename).suffix.lower()
    if suffix in YAML_SUFFIXES:
        data, node = _parse_yaml(text, filename)
    elif suffix in JSON_SUFFIXES:
        data, node = _parse_json(text, filename)
    else:
        raise _error(filename, None, "", f'unsupported file type "{suffix}": use .yaml, .yml or .json')
    problems = _duplicate_keys(node, data, filename)
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as err:
        problems += [_problem(e, data, node, filename) for e in err.errors(include_url=False)]
    if problems:
        raise TemplateFileError(problems)
    return spec


def _error(filename: str, line: int | None, place: str, problem: str) -> TemplateFileError:
    return TemplateFileError([TemplateProblem(filename, line, place, problem)])


def _parse_yaml(text: str, filename: str) -> tuple[Any, Node]:
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _error(filename, None, "", "the file is empty")
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as err:
        line, advice = yaml_advice(err, text.splitlines())
        raise _error(filename, line, "", f"YAML syntax error: {advice}") from None
    except yaml.YAMLError as err:
        raise _error(filename, None, "", f"YAML syntax error: {err}") from None
    finally:
        loader.dispose()


def _parse_json(text: str, filename: str) -> tuple[Any, Node | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _error(filename, err.lineno, "", f"JSON syntax error: {json_advice(err)}") from None
    try:  # JSON is (almost always) YAML too, and YAML nodes know their lines.
        node = yaml.compose(text, Loader=_TemplateLoader)
    except yaml.YAMLError:
        node = None
    return data, node


def yaml_advice(err: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int | None, str]:
    """The line to look at, and what is wrong there in plain words with what to change: the
    parser's own words ("expected <block end>, but found '?'") mean little to a person."""
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    text = lines[line - 1] if line and line <= len(lines) else ""
    problem, context = err.problem or "", err.context or ""
    opened = err.context_mark.line + 1 if err.context_mark else None
    if "\t" in problem or "'\\t'" in problem:
        return line, "this line is indented with a tab. Indent with spaces only (two per level)."
    if problem.startswith("mapping values are not allowed"):
        if text.split("#")[0].count(": ") + text.rstrip().endswith(":") > 1:
            key, _, rest = text.strip().removeprefix("- ").partition(": ")
            return line, f'this line has a second ": " inside its text. Put the text in quotes: {key}: "{rest}"'

        return line, (
            "this line is indented further than the line above, which already has a value. "
            "Line it up with the line above (or end the line above with a colon if this belongs inside it)."
        )
    if problem.startswith("expected <block end>"):
        what = "list item" if "sequence" in problem or text.lstrip().startswith("- ") else "field"
        return line, (
            f"this {what} is not lined up with the ones before it. Indent it by exactly as many "
            f"spaces as the other {what}s at its level" + (f" (the block starting on line {opened})." if opened else ".")
        )
    if "could not find expected ':'" in problem:
        return opened or line, (
            'this line has no ":" after its field name. Write "field: value", or '
            'if a text runs over several lines, start it with ">" on the line of its field.'
        )
    if "quoted scalar" in context:
        return opened or line, "a quote opened on this line is never closed. Add the closing quote."
    if "flow sequence" in context or "flow mapping" in context:
        closing = "]" if "sequence" in context else "}"
        return opened or line, f'a list written in brackets is missing a comma or its closing "{closing}". Check this line.'
    if "alias" in problem or "anchor" in context:
        return line, '"*" and "&" have a special meaning in YAML. Put the text starting with them in quotes.'
    words = " ".join(part for part in (context, problem) if part)
    return line, f"{words}. Check the indentation and quotes on this line and the one above."


def json_advice(err: json.JSONDecodeError) -> str:
    """A JSON decoding error in plain words, with what to change."""
    msg = err.msg
    if msg.startswith("Expecting property name"):
        return "a field name must be in double quotes, and the last entry before a } has no comma after it."
    if msg.startswith("Expecting ',' delimiter"):
        return 'a comma is missing between two entries (at the end of the line above, or before this point).'
    if msg.startswith("Expecting ':' delimiter"):
        return 'a field name needs a ":" after it, e.g. "name": "Our template".'
    if msg.startswith("Expecting value"):
        return "a value is missing here, or there is a comma too many before a ] or }. Text needs double quotes."
    if msg.startswith("Unterminated string"):
        return "a text is opened with a double quote and never closed. Add the closing quote."
    if msg.startswith("Invalid control character"):
        return 'a text runs over the end of the line. Keep it on one line, writing a line break as "\\n".'
    if msg.startswith("Extra data"):
        return "there is more after the template's closing }. Remove it, or wrap everything in one { }."
    return f"{msg}. Check the commas, quotes and brackets on this line."


def _duplicate_keys(node: Node | None, data: Any, filename: str, loc: Loc = ()) -> list[TemplateProblem]:
    """A key written twice would silently lose the first value; report it instead."""
    problems: list[TemplateProblem] = []
    if isinstance(node, MappingNode):
        first_lines: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in first_lines:
                problems.append(
                    TemplateProblem(
                        filename,
                        line,
                        _place(data, loc),
                        f'"{key.value}" is written twice (first on line {first_lines[key.value]})',
                    )
                )
            first_lines.setdefault(key.value, line)
            problems += _duplicate_keys(value, data, filename, (*loc, key.value))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, data, filename, (*loc, index))
    return problems


def _problem(error: ErrorDetails, data: Any, node: Node | None, filename: str) -> TemplateProblem:
    """Turn one pydantic error into a problem in the template author's terms."""
    loc: Loc = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        return TemplateProblem(
            filename, _line(node, loc), _place(data, loc[:-1]), f'missing required field "{loc[-1]}"'
        )
    if kind == "extra_forbidden":
        return TemplateProblem(filename, _line(node, loc), _place(data, loc[:-1]), _unknown_field(loc))
    if kind in _EXPECTED and value is None:
        problem = f"is empty, but should be {_EXPECTED[kind]}"
    elif kind in _EXPECTED:
        problem = f"should be {_EXPECTED[kind]}, not {_describe(value)}"
        if kind == "string_type" and isinstance(value, int | float):
            problem += " (put it in quotes to make it text)"
    elif kind == "string_too_short":
        problem = "must not be empty"
    elif kind == "string_too_long":
        problem = f"is too long: at most {ctx['max_length']} characters"
    elif kind == "too_short":
        wanted, entries = ctx["min_length"], "entry" if ctx["min_length"] == 1 else "entries"
        problem = f"must have at least {wanted} {entries}, but has {ctx['actual_length']}"
    elif kind == "greater_than_equal":
        problem = f"must be {ctx['ge']} or more, not {value}"
    elif kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = difflib.get_close_matches(str(value), choices, n=1)
        problem = f"{_describe(value)} is not one of: {', '.join(choices)}"
        if close:
            problem += f' (did you mean "{close[0]}"?)'

    else:
        problem = error["msg"]
    return TemplateProblem(filename, _line(node, loc), _place(data, loc), problem)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    return f'"{value}"'


def _unknown_field(loc: Loc) -> str:
    name, allowed = str(loc[-1]), _fields_at(loc[:-1])
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f'unknown field "{name}" (did you mean "{close[0]}"?)'
    return f'unknown field "{name}"; the fields here are: {", ".join(allowed)}'


def _fields_at(loc: Loc) -> list[str]:
    """The field names of the model found at `loc`, following list item types."""
    model: Any = TemplateSpec
    for segment in loc:
        if isinstance(segment, int):
            continue
        model = model.model_fields[segment].annotation
        if get_origin(model) is list:
            model = get_args(model)[0]
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _line(node: Node | None, loc: Loc) -> int | None:
    """The line of the deepest YAML node along `loc` (a key's own line for mapping entries)."""
    if node is None:
        return None
    line = node.start_mark.line
    for segment in loc:
        if isinstance(node, MappingNode):
            entry = next(
                ((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(segment)),
                None,
            )
            if entry is None:
                break
            line, node = entry[0].start_mark.line, entry[1]
        elif isinstance(node, SequenceNode) and isinstance(segment, int) and segment < len(node.value):
            node = node.value[segment]
            line = node.start_mark.line
        else:
            break
    return line + 1


def _place(data: Any, loc: Loc) -> str:
    """Say where `loc` is in words, naming standards and questions by their number and ref."""
    parts: list[str] = []
    segments = list(loc)
    while segments:
        segment = segments.pop(0)
        child = data.get(segment) if isinstance(data, dict) and isinstance(segment, str) else None
        if segment in _ITEM_NAMES and segments and isinstance(segments[0], int):
            index = segments.pop(0)
            item = child[index] if isinstance(child, list) and index < len(child) else None
            noun, id_field, quoted = _ITEM_NAMES[str(segment)]
            ident = item.get(id_field) if isinstance(item, dict) else None
            if isinstance(ident, str | int | float) and str(ident).strip():
                name = str(ident).strip()
                parts.append(f'{noun} "{name}"' if quoted else f"{noun} {name}")
            else:
                parts.append(f"{noun} at position {index + 1}")
            data = item
        elif segment == "descriptors" and segments:
            parts.append(f'descriptor "{segments.pop(0)}"')
        elif segment == "scale":
            parts.append("scale")
            data = child
        else:
            parts.append(f'field "{segment}"')
            data = child
    return ", ".join(parts)
