"""Matplotlib's SVG made fit to sit inline in a page served under a strict Content Security Policy.

The CSP allows styles from our own files only (`style-src 'self'`), so the browser ignores the
`style="..."` attributes and the `<style>` element matplotlib writes, and the charts would lose
their colours. Every property matplotlib uses is also an SVG presentation attribute, which no CSP
governs, so each declaration becomes one (`style="fill: #d4351c"` → `fill="#d4351c"`). The rule
matplotlib puts in `<style>` (`*{stroke-linejoin: round; ...}`) holds only inherited properties,
so it moves onto the root element. Ids get a prefix so that several charts on one page never
share one (matplotlib numbers them `figure_1`, `patch_1`... in every chart).
"""

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

_HREF = f"{{{XLINK}}}href"
_URL = re.compile(r"url\(#([^)]+)\)")
# The `font` shorthand is not a presentation attribute; matplotlib writes the longhands, but a
# font shorthand would otherwise be dropped silently: refuse it loudly instead.
_NOT_PRESENTATION = {"font"}


def declarations(style: str) -> list[tuple[str, str]]:
    """`"fill: #fff; stroke: #000"` → `[("fill", "#fff"), ("stroke", "#000")]`."""
    pairs = []
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        if colon and name.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs


def csp_safe(svg: str, id_prefix: str) -> str:
    """The same picture with no inline CSS, and its ids (and references to them) prefixed."""
    root = ET.fromstring(svg)
    for metadata in root.findall(f"{{{SVG}}}metadata"):
        root.remove(metadata)
    for defs in root.iter(f"{{{SVG}}}defs"):
        for style in defs.findall(f"{{{SVG}}}style"):
            defs.remove(style)
            for rule in re.findall(r"\{([^}]*)\}", style.text or ""):
                for name, value in declarations(rule):
                    root.set(name, value)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for name, value in declarations(style):
                if name in _NOT_PRESENTATION:
                    raise ValueError(f"SVG style property {name!r} has no presentation attribute")
                element.set(name, _prefixed_urls(value, id_prefix))
        if "id" in element.attrib:
            element.set("id", f"{id_prefix}-{element.attrib['id']}")
        for name, value in list(element.attrib.items()):
            if name == _HREF and value.startswith("#"):
                element.set(name, f"#{id_prefix}-{value[1:]}")
            elif "url(#" in value:
                element.set(name, _prefixed_urls(value, id_prefix))
    return ET.tostring(root, encoding="unicode")


def _prefixed_urls(value: str, id_prefix: str) -> str:
    return _URL.sub(lambda m: f"url(#{id_prefix}-{m[1]})", value)
