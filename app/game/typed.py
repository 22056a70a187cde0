"""Reading what people type into the game's forms: names and whole numbers."""

from __future__ import annotations

import unicodedata


def clean_name(typed: str | None) -> str:
    """A name as it should be stored and compared: NFKC (full-width letters become plain
    ones), no control or invisible format characters (zero-width spaces, bidi overrides),
    runs of spaces made one, no spaces at the ends."""
    text = unicodedata.normalize("NFKC", typed or "")
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf") or c in "\t\n")
    return " ".join(text.split())


def whole_number(typed: object, low: int, high: int) -> int | None:
    """A whole number written with ASCII digits only, from ``low`` to ``high``; else None."""
    text = str(typed).strip() if typed is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None
