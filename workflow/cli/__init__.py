"""The `s11` command and the demo data: the top floor, which may import every room."""

from workflow.cli.commands import main

__all__ = ["main"]
