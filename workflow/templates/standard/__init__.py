"""The standards templates shipped with the product; a partnership can load these or its own."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
DEFAULT_TEMPLATE_PATH = TEMPLATE_DIR / "section11-default.yaml"
