"""Search text for names: the name itself, its full pinyin and its initials, lower-case.

'杭州娃哈哈集团' → '杭州娃哈哈集团 hangzhouwahahajituan hzwhhjt …' so that a search for 'wahaha',
'hzwhh' or '娃哈哈' all find it with one substring match on one column.
"""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def search_text_for(name: str, *extra: str) -> str:
    name = name or ""
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    parts = [name.lower(), full, initials, *[(e or "").lower() for e in extra]]
    return " ".join(p for p in parts if p)[:600]


def normalise_query(q: str) -> str:
    return "".join((q or "").split()).lower()
