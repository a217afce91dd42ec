"""The keyword parser the portal used before issue 16 (kept only as the benchmark's baseline).

'1', '１', '3分', '我选2，谢谢', '非常满意', '很差!!', ' 一般 ' all parse; a reply that names two
different scores, or none, is unparseable (kept and shown, never dropped).
"""
from __future__ import annotations

import re
import unicodedata

# Longest phrases first: 非常满意 contains 满意, 不满意 must not read as 满意.
WORDS: list[tuple[str, int]] = [
    ("非常满意", 1), ("很满意", 1), ("十分满意", 1),
    ("非常不满意", 4), ("很不满意", 4), ("不满意", 4), ("很差", 4), ("非常差", 4), ("差评", 4),
    ("比较满意", 2), ("较好", 2), ("还好", 2), ("满意", 2), ("好", 2),
    ("一般", 3), ("凑合", 3),
]
_DIGIT = re.compile(r"(?<![0-9])([1-4])(?![0-9])")


def parse_score(text: str) -> int | None:
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text).strip()  # full-width digits → ASCII
    found: set[int] = set()
    for m in _DIGIT.finditer(s):
        found.add(int(m.group(1)))
    rest = s  # words count too: '非常满意 4' names two different scores, so it is ambiguous
    for word, score in WORDS:
        if word in rest:
            found.add(score)
            rest = rest.replace(word, " ")
    if len(found) == 1:
        return found.pop()
    return None
