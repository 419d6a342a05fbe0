"""Domain errors: each carries the reasons in words the person acting can understand."""


class Reason(str):
    """A reason that belongs to one field of the form it came from, so a page can show it beside
    that field and link to it from the error summary. Still a plain string everywhere else."""

    field: str

    def __new__(cls, text: str, field: str) -> "Reason":
        reason = super().__new__(cls, text)
        reason.field = field
        return reason


class DomainError(Exception):
    """A refused move; `reasons` lists every reason, not just the first."""

    def __init__(self, reasons: str | list[str]) -> None:
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("; ".join(self.reasons))


class NotPermitted(DomainError):
    """The person may not make this move (wrong role, or not their agency)."""


class NotFound(DomainError):
    """The thing does not exist, or the person may not know it exists."""


class ConcurrentChange(DomainError):
    """Someone else changed the same thing first; nothing of this attempt was saved."""

    def __init__(self, what: str = "return") -> None:
        super().__init__(
            f"This {what} was changed by someone else while you were working on it. "
            "Nothing you did was saved: reload the page to see the latest version and try again."
        )
