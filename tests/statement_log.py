"""The SQL statements a piece of work sends, for tests (and the bench) that count them."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def statements_sent(engine: Engine, *, first_words: bool = False) -> Iterator[list[str]]:
    """Every SQL statement sent on `engine` while inside, in order (commits are not statements);
    with `first_words`, only each one's first word (SELECT, INSERT...), to compare with a list."""
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        statements.append(statement.split()[0].upper() if first_words else statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
