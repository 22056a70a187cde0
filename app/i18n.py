"""Translations: Babel catalogues read from locales/*.po, the request's locale, gettext."""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LOCALES: dict[str, str] = {"zh_TW": "繁體中文", "zh_CN": "简体中文", "en": "English"}
DEFAULT_LOCALE = "en"
LOCALE_COOKIE = "downhill_lang"

# Browser language tags (lower case, '-' or '_') that mean one of our catalogues.
_ALIASES = {
    "zh-tw": "zh_TW",
    "zh-hant": "zh_TW",
    "zh-hk": "zh_TW",
    "zh-mo": "zh_TW",
    "zh-hant-tw": "zh_TW",
    "zh-hant-hk": "zh_TW",
    "zh-hant-mo": "zh_TW",
    "zh": "zh_CN",
    "zh-cn": "zh_CN",
    "zh-hans": "zh_CN",
    "zh-sg": "zh_CN",
    "zh-hans-cn": "zh_CN",
    "zh-hans-sg": "zh_CN",
    "en": "en",
}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def match_locale(tag: str | None) -> str | None:
    """Our locale for one language tag (``zh-Hant-TW``, ``en-GB``, ``zh_TW``), or None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    while tag:
        if tag in _ALIASES:
            return _ALIASES[tag]
        tag = tag.rpartition("-")[0]
    return None


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The locale of a request: the switcher's cookie, else the browser's best match."""
    if cookie in LOCALES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag))
    for negative_quality, _, tag in sorted(ranked):
        locale = match_locale(tag)
        if locale and negative_quality < 0:
            return locale
    return DEFAULT_LOCALE


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of a locale, built in memory from its .po file once."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale not in LOCALES or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as file:
        catalog = read_po(file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str, **params: Any) -> str:
    """Translate into the current locale, then fill ``%(name)s`` placeholders."""
    text = translations(current_locale.get()).ugettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """Translate a message with a plural form into the current locale, then fill its
    placeholders (``num`` is n) when given any; the templates' ngettext fills them itself,
    ``num`` and the others, after this returns."""
    text = translations(current_locale.get()).ungettext(singular, plural, n)
    return text % {"num": n, **params} if params else text
