"""Rendering message texts and measuring them in SMS parts (SPEC SMS-4)."""

from __future__ import annotations

from functools import lru_cache

from django.template import Context, Engine, Template

# SMS is plain text: no HTML escaping; unknown variables render as "" (Django's default).
# No template directories: `{% include %}` finds nothing, so a text cannot pull in files.
_ENGINE = Engine(autoescape=False)


@lru_cache(maxsize=256)
def compile_template(text: str) -> Template:
    return _ENGINE.from_string(text)


def render_text(text: str, context: dict | None = None) -> str:
    return compile_template(text).render(Context(context or {}, autoescape=False)).strip()


# GSM 03.38 default alphabet restricted to ASCII: anything else (Chinese above all) goes as UCS-2.
_GSM_BASIC_ASCII = set(
    "@$\n\r !\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
)
_GSM_EXTENDED_ASCII = set("^{}\\[~]|")  # each takes two septets (escape + char)


def is_gsm_ascii(text: str) -> bool:
    """True when the text can go as 7-bit GSM without loss (plain ASCII letters, digits, signs)."""
    return all(ch in _GSM_BASIC_ASCII or ch in _GSM_EXTENDED_ASCII for ch in text)


def sms_parts(text: str) -> int:
    """How many SMS a text needs: 160/153 septets in GSM 7-bit, 70/67 characters in UCS-2."""
    if is_gsm_ascii(text):
        length = sum(2 if ch in _GSM_EXTENDED_ASCII else 1 for ch in text)
        single, part = 160, 153
    else:
        # Characters outside the Basic Multilingual Plane take two UCS-2 units.
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, part = 70, 67
    if length <= single:
        return 1
    return -(-length // part)
