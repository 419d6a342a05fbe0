"""A report's figures read once per change of the data they show, not on every request.

At a thousand agencies a report's figures take a second or more to read and group, and sixteen
people opening the pages at once would each pay that. So a report is kept, in each web process,
under the version of its cycle's data (`figures_version`): one small query that every change a
figure could show moves, whichever door it came through (a page, the scheduler, the command
line) and whichever machine serves the next request, because it is read from the database:

- every save, move or note on a return takes the return's version (`moves.hold_return`,
  `touch_return`, `move_return`): answers, moderations, challenges, evidence, deadline extensions,
  statements, actions added to a plan; a new or removed return changes how many there are;
- an action's progress (begun, completed, cancelled) writes an `ActionUpdate` and nothing on the
  return, so those are counted too;
- a change to the cycle itself (dates, closing, reopening) writes one of the cycle's history records;
- the previous cycles a year-on-year page compares with count the same way.

Each web process keeps the reports it read in memory, and a machine's processes share them
through a folder (`share_in`, the instance folder's `figures/`): four workers behind gunicorn
then read a changed report once between them, not once each (unpickling it takes a few
milliseconds; reading it, a second at a thousand agencies). The folder holds only what this
application wrote there, as trusted as its instance folder's secret key beside it.

The day is part of the key (what is overdue changes at midnight), and so are the partnerships
the session reads (a joint cycle's areas see different figures). Names in the directories
(an agency renamed, a lead person's name) are not versioned: a kept report is read again after
MAX_AGE at the latest, so such a change shows within minutes.
"""

import hashlib
import os
import pickle
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, func, select

from models import Action, ActionUpdate, AuditReturn, Cycle, HistoryRecord
from workflow import partnerships
from workflow.clock import today

T = TypeVar("T")
MAX_AGE = 300.0  # seconds a kept report is trusted for what the version does not see


def figures_version(session: Session, cycle_id: int) -> tuple[int, ...]:
    """What moves when any figure of the cycle's reports (or its previous cycles') could change,
    in one statement: returns and the sum of their versions, action updates, cycle records."""
    seed = select(Cycle.id, Cycle.previous_cycle_id).where(Cycle.id == cycle_id)
    chain = seed.cte("chain", recursive=True)
    # UNION, not UNION ALL: a chain that loops back on itself ends instead of going round.
    chain = chain.union(select(Cycle.id, Cycle.previous_cycle_id).join(chain, Cycle.id == chain.c.previous_cycle_id))
    in_chain = select(chain.c.id)
    of_chain = AuditReturn.cycle_id.in_(in_chain)
    returns = select(func.count(AuditReturn.id)).where(of_chain)
    versions = select(func.coalesce(func.sum(AuditReturn.version_id), 0)).where(of_chain)
    updates = (
        select(func.count(ActionUpdate.id))
        .join(Action, Action.id == ActionUpdate.action_id)
        .join(AuditReturn, AuditReturn.id == Action.return_id)
        .where(of_chain)
    )
    records = select(func.count(HistoryRecord.id)).where(
        HistoryRecord.subject_type == "cycle", HistoryRecord.subject_id.in_(in_chain)
    )
    cycles = select(func.count()).select_from(in_chain.subquery())
    row = session.exec(
        select(
            cycles.scalar_subquery(),
            returns.scalar_subquery(),
            versions.scalar_subquery(),
            updates.scalar_subquery(),
            records.scalar_subquery(),
        )
    ).one()
    return tuple(int(n) for n in row)


class Kept:
    """Values by key, the least recently used dropped past `size`, each trusted for `max_age` seconds."""

    def __init__(self, size: int = 32, max_age: float = MAX_AGE) -> None:
        self.size, self.max_age = size, max_age
        self._kept: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            found = self._kept.get(key)
            if found is not None and now - found[0] < self.max_age:
                self._kept.move_to_end(key)
                return found[1]  # type: ignore[return-value]
        value = make()  # outside the lock: another page need not wait for this one
        with self._lock:
            self._kept[key] = (now, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class Shelf:
    """Values pickled in a folder that a machine's web processes share, each file trusted for
    `max_age` seconds after it was written; files older than that are removed as new ones come."""

    def __init__(self, folder: Path, max_age: float = MAX_AGE) -> None:
        self.folder, self.max_age = folder, max_age

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        path = self._path(key)
        try:
            if time.time() - path.stat().st_mtime < self.max_age:
                with path.open("rb") as file:
                    return pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            pass  # not there, too old, half written by a crashed process, or of an older release
        value = make()
        self._put(path, value)
        return value

    def _path(self, key: Hashable) -> Path:
        """Named by the key and by the code that made the value: a new release reads afresh."""
        return self.folder / f"{hashlib.sha256(repr((_code(), key)).encode()).hexdigest()}.pickle"

    def _put(self, path: Path, value: object) -> None:
        """Written whole under another name, then renamed: a reader never sees half a file."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".part", delete=False) as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(file.name, path)
            self._prune()
        except OSError:
            pass  # a full or read-only disk costs speed, never a page

    def _prune(self) -> None:
        now = time.time()
        for old in self.folder.iterdir():
            try:
                if now - old.stat().st_mtime > self.max_age:
                    old.unlink()
            except OSError:
                pass  # another process removed it first


@cache
def _code() -> str:
    """A digest of the domain's code (the classes a kept report is made of), once per process."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for path in sorted([*root.glob("workflow/**/*.py"), *root.glob("models/**/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


_kept = Kept()
_shelf: Shelf | None = None


def share_in(folder: Path | None) -> None:
    """Share the reports read between this machine's processes through `folder` (None: each keeps its own)."""
    global _shelf
    _shelf = Shelf(folder) if folder is not None else None


def shelved(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, or what a process of this machine made under `key` before (a chart drawn, say)."""
    shelf = _shelf
    return make() if shelf is None else shelf.get(key, make)


def kept_figures(session: Session, cycle_id: int, read: Callable[[Session, int], T]) -> T:
    """`read(session, cycle_id)`, or what it gave before if nothing it shows has changed since."""
    scope = partnerships.scope(session)
    key = (
        session.get_bind().url.render_as_string(hide_password=True),
        read.__module__,
        read.__qualname__,
        cycle_id,
        None if scope is None else tuple(sorted(scope)),  # in order: the shelf's file is named by the key's words
        today(),
        figures_version(session, cycle_id),
    )
    return _kept.get(key, lambda: shelved(key, lambda: read(session, cycle_id)))


def forget_all() -> None:
    """Drop every kept report and share none (for tests, which empty a database and build a new
    world in it under the same ids)."""
    _kept.clear()
    share_in(None)
