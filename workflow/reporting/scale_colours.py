"""A colour for every scored value of a listed rating scale, weakest to best.

Up to five values share out GOV.UK's red, orange, yellow, light green and green as before. A
longer scale (a template may list as many values as it likes) takes its colours from the same
path, red through yellow to green, walked in OKLab so that equal steps look equally far apart:
sixteen fixed steps (`LONG`, which the report pages' tag classes in web/static/reports.css copy),
and past sixteen values a colour of its own for each, worked out along the path. Text on a colour
is black or white, whichever contrasts more (WCAG), which is never less than 4.5:1.
"""

import math

# GOV.UK colours, weakest to best.
SCALE_COLOURS = ["#d4351c", "#f47738", "#ffdd00", "#85994b", "#00703c"]
LONG_STEPS = 16


def scored_colours(count: int) -> list[str]:
    """`count` colours for a scale's scored values, weakest first, each its own past five."""
    if count <= len(SCALE_COLOURS):
        last = max(count - 1, 1)
        return [SCALE_COLOURS[round(i * (len(SCALE_COLOURS) - 1) / last)] for i in range(count)]
    if count <= LONG_STEPS:
        return [LONG[step] for step in long_steps(count)]
    return [_along(i / (count - 1)) for i in range(count)]


def long_steps(count: int) -> list[int]:
    """Which of the sixteen `LONG` colours each of `count` values takes (all different up to sixteen)."""
    last = max(count - 1, 1)
    return [round(i * (LONG_STEPS - 1) / last) for i in range(count)]


def contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str, dark: str = "#000000", light: str = "#ffffff") -> str:
    """`dark` or `light`, whichever contrasts more with the background."""
    return dark if contrast(background, dark) >= contrast(background, light) else light


def _along(fraction: float) -> str:
    """The colour `fraction` of the way along the path through SCALE_COLOURS, by distance in OKLab."""
    points = [_oklab(c) for c in SCALE_COLOURS]
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    left = fraction * sum(lengths)
    for (start, end), length in zip(zip(points, points[1:], strict=False), lengths, strict=True):
        if left <= length or end is points[-1]:
            t = min(left / length, 1.0)
            return _hex(tuple(s + (e - s) * t for s, e in zip(start, end, strict=True)))
        left -= length
    return SCALE_COLOURS[-1]


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _gamma(channel: float) -> float:
    channel = min(1.0, max(0.0, channel))
    return 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(_linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))


def _luminance(colour: str) -> float:
    r, g, b = _rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _oklab(colour: str) -> tuple[float, float, float]:
    """Björn Ottosson's OKLab, from sRGB."""
    r, g, b = _rgb(colour)
    l_, m, s = (
        (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3),
        (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3),
        (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3),
    )
    return (
        0.2104542553 * l_ + 0.7936177850 * m - 0.0040720468 * s,
        1.9779984951 * l_ - 2.4285922050 * m + 0.4505937099 * s,
        0.0259040371 * l_ + 0.7827717662 * m - 0.8086757660 * s,
    )


def _hex(lab: tuple[float, float, float]) -> str:
    lightness, a, b = lab
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    rgb = (
        4.0767416621 * l_ - 3.3077115913 * m + 0.2309699292 * s,
        -1.2684380046 * l_ + 2.6097574011 * m - 0.3413193965 * s,
        -0.0041960863 * l_ - 0.7034186147 * m + 1.7076147010 * s,
    )
    return "#" + "".join(f"{round(_gamma(c) * 255):02x}" for c in rgb)


def oklab_distance(one: str, other: str) -> float:
    """How far apart two colours look (OKLab; about 0.02 is the least an eye tells apart)."""
    return math.dist(_oklab(one), _oklab(other))


LONG = [_along(step / (LONG_STEPS - 1)) for step in range(LONG_STEPS)]
