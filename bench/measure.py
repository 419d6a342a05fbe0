"""Interleaved timing of a product path and its floor, SQL statement counts, and the printed line."""

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured path: product and floor milliseconds (medians), statements, and its target."""

    what: str
    product_ms: float | None
    floor_ms: float | None
    statements: int | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.product_ms is None or self.floor_ms is None or self.floor_ms <= 0:
            return None
        return self.product_ms / self.floor_ms

    def line(self) -> str:
        product = f"{self.product_ms:9.1f}" if self.product_ms is not None else f"{self.note:>9}"
        floor = f"{self.floor_ms:9.1f}" if self.floor_ms is not None else " " * 9
        ratio = f"{self.ratio:7.1f}x" if self.ratio is not None else " " * 8
        statements = f"{self.statements:5d}" if self.statements is not None else " " * 5
        verdict = "" if self.met is None else ("met" if self.met else "NOT MET")
        return f"  {self.what:<44} {product} {floor} {ratio} {statements}  {self.target:<22} {verdict}"


HEADER = f"  {'what':<44} {'product':>9} {'floor':>9} {'ratio':>8} {'stmts':>5}  {'target':<22} verdict"


def interleaved(product: Callable[[], object], floor: Callable[[], object] | None, repeat: int) -> tuple[float, float | None]:
    """Median milliseconds of each, run turn about so both see the same load on a shared machine."""
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(_timed(product))
        if floor is not None:
            theirs.append(_timed(floor))
    return statistics.median(ours), statistics.median(theirs) if theirs else None


def _timed(run: Callable[[], object]) -> float:
    """Milliseconds of one run. What the process already holds is frozen out of the garbage
    collector first: the bench process holds a whole world of objects (a web process does not),
    and a full collection over them falling into one of three runs (a quarter of a second) would
    be charged to whichever path it hit. The run's own garbage is collected as usual."""
    gc.freeze()
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def ratio_figure(what: str, product_ms: float, floor_ms: float | None, limit: float, statements: int | None = None) -> Figure:
    """A figure whose target is 'product within `limit` times its floor'."""
    met = floor_ms is not None and product_ms <= limit * floor_ms
    return Figure(what, product_ms, floor_ms, statements, f"<= {limit:g}x floor", met)


class Lap:
    """Turn-about timings of a product path and its floor, gathered one call at a time."""

    def __init__(self) -> None:
        self.ours: list[float] = []
        self.theirs: list[float] = []

    def product(self, run: Callable[[], object]) -> None:
        self.ours.append(_timed(run))

    def floor(self, run: Callable[[], object]) -> None:
        self.theirs.append(_timed(run))

    @property
    def product_ms(self) -> float:
        return statistics.median(self.ours)

    @property
    def floor_ms(self) -> float | None:
        return statistics.median(self.theirs) if self.theirs else None
