"""Reading survey replies the way subscribers write them (SPEC SAT-2, issue 16).

The survey asks for 1 非常满意, 2 较好, 3 一般 or 4 很差. People answer with a digit, a word of the
scale, or a sentence: "您好，非常满意，服务很好", "不太满意", "没有不满意的", "2 服务不错", "我选四".

How a reply is read:
1. Normalise: NFKC (full-width digits and letters, ideographic spaces), a few traditional
   characters, spaces between Chinese characters dropped.
2. Take out what carries no verdict: greetings (您好, 王经理好), thanks, acknowledgements (好的,
   收到), set phrases built on 好 that are not praise (不好意思, 好久, 修好, 好吗, 说不好).
3. Find the answers: a digit 1–4 standing alone (not part of a number, not followed by a unit such
   as 号/点/天/个/分钟), a Chinese numeral after 选/回复/打/评 or alone, and sentiment expressions —
   a core word (满意, 好, 不错, 棒, 差, 糟糕, 失望, …, or the neutral 一般, 凑合) with the negations
   and degree words in front of it (不, 没有, 不太, 很不, 一点都不, 非常, 比较, 有点, …) and a
   suffix such as 极了. Negation is composed, not listed: 不满意 → 4, 不太满意 → 3, 没有不满意 → 2,
   不差 → 2, 比较差 → 3.
4. Decide: satisfied (1–2) and dissatisfied (3–4) evidence together is ambiguous; two different
   digits, a digit that contradicts the words, or two different words of the scale itself are
   ambiguous. Otherwise a digit wins, then a word of the scale, then the first expression.

Ambiguous or empty replies return None: they are kept and shown, and a person settles them
(never guessed). The corpus in tests/visits/data/reply_corpus.tsv holds the expected reading of
several hundred realistic replies; bench/replies.py prints the accuracy.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SATISFIED = (1, 2)
DISSATISFIED = (3, 4)
SCALE_WORDS = {"非常满意": 1, "较好": 2, "一般": 3, "很差": 4}

_TRADITIONAL = str.maketrans({"滿": "满", "較": "较", "錯": "错", "勁": "劲", "謝": "谢", "雖": "虽",
                              "實": "实", "爛": "烂", "極": "极", "滯": "滞", "問": "问", "題": "题",
                              "說": "说", "沒": "没", "蠻": "蛮", "專": "专", "業": "业", "讚": "赞"})
_CJK = r"\u3400-\u9fff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")

# Phrases that carry no verdict, removed before reading (longest first where they overlap).
_NOISE = re.compile("|".join([
    r"不好意思", r"说不好", r"不好说", r"说不清", r"不知道", r"不清楚", r"不一定", r"不用了?",
    rf"[{_CJK}]{{0,2}}经理(?:您|你)?好", r"(?:您|你|大家|早上|上午|下午|晚上|老师|师傅)们?好",
    r"(?:非常|十分)?(?:谢谢|感谢|多谢)(?:您|你)?(?:们)?(?:的)?(?:服务|关心|支持)?", r"辛苦(?:了|啦)?",
    r"(?:^|(?<=[，,。.！!？?\s]))好的", r"(?:^|(?<=[，,。.！!？?\s]))好吧",
    r"好久", r"好几", r"好多", r"好像", r"只好", r"正好", r"刚好", r"最好", r"好在", r"好不好",
    r"(?:满意|好|可以|行)(?:吗|么)", r"(?:满意|好|可以|行)不(?=$|[？?，,。.！!])",
    r"(?:修|弄|搞|做|办|装|调|处理|准备|约|谈)好", r"收到", r"知道了",
]))

# Set phrases read whole (before the composed expressions).
_PHRASES: list[tuple[re.Pattern, int]] = [(re.compile(p), s) for p, s in [
    (r"不是一般的(?:好|满意|棒)", 1), (r"(?:满意|好)个(?:屁|鬼|头)", 4),
    (r"(?:五星)?好评", 1), (r"(?:必须|给你们?)?点赞", 1), (r"差评", 4),
    (r"没(?:有)?(?:问题|毛病)", 2), (r"还(?:可以|行)", 2),
    (r"(?:根本|都)?没(?:有)?人(?:管|理|来|处理)", 4), (r"不理人", 4),
    (r"(?:有待|还需|需要|还要|有待于)(?:提高|改进|加强|改善)", 3), (r"一般(?:般|化)?", 3), (r"普普通通", 3),
    (r"凑合", 3), (r"不怎么样", 3), (r"马马虎虎", 3), (r"过得去", 3),
]]

# Core words: (pattern, polarity, base score). Polarity +1 praise, -1 complaint.
_CORES: list[tuple[re.Pattern, int, int]] = [(re.compile(p), pol, base) for p, pol, base in [
    (r"满意", 1, 2), (r"不错", 1, 2), (r"棒", 1, 1), (r"赞", 1, 1), (r"给力", 1, 1), (r"到位", 1, 2),
    (r"周到", 1, 2), (r"专业", 1, 2), (r"及时", 1, 2), (r"负责", 1, 2), (r"热情", 1, 2), (r"耐心", 1, 2),
    (r"理想", 1, 2), (r"好", 1, 2),
    (r"(?:可以|行)(?=$|[吧啊的哈呀啦了呢哦]|[^\w])", 1, 2),
    (r"差劲|差", -1, 4), (r"糟糕|糟", -1, 4), (r"烂", -1, 4), (r"垃圾", -1, 4), (r"失望", -1, 4),
    (r"生气|气人", -1, 4), (r"恶劣", -1, 4), (r"敷衍", -1, 4), (r"投诉", -1, 4), (r"不满(?!意)", -1, 4),
    (r"无语", -1, 4), (r"坑", -1, 4),
]]
# Words that count only with a degree in front of them: 太慢, 有点晚.
_CORES_NEED_DEGREE = [(re.compile(r"慢|晚"), -1, 4)]

# Modifiers in front of a core, read right to left. Kinds: N negation, S strong, M mild,
# Q quantifier of a negation (一点都不, 完全不), F filler.
_MODIFIERS = sorted([
    ("不", "N"), ("没", "N"), ("没有", "N"), ("无", "N"), ("未", "N"), ("别", "N"), ("并不", "N"),
    ("非常", "S"), ("很", "S"), ("特别", "S"), ("十分", "S"), ("超级", "S"), ("超", "S"), ("相当", "S"),
    ("太", "S"), ("极", "S"), ("极其", "S"), ("真", "S"), ("真的", "S"), ("最", "S"), ("实在", "S"),
    ("比较", "M"), ("较", "M"), ("还", "M"), ("挺", "M"), ("蛮", "M"), ("还算", "M"), ("算", "M"),
    ("基本", "M"), ("基本上", "M"), ("总体", "M"), ("整体", "M"), ("还是", "M"), ("有点", "M"), ("有些", "M"),
    ("有一点", "M"), ("没有一点", "QN"), ("没一点", "QN"),
    ("稍微", "M"), ("稍", "M"), ("略", "M"), ("略微", "M"), ("够", "M"), ("怎么", "M"),
    ("一点都", "Q"), ("一点也", "Q"), ("一点儿都", "Q"), ("一点", "Q"), ("完全", "Q"), ("根本", "Q"),
    ("什么", "F"), ("是", "F"), ("都", "F"), ("也", "F"), ("得", "F"), ("感觉", "F"), ("觉得", "F"),
], key=lambda m: -len(m[0]))
_SUFFIX_STRONG = re.compile(r"^(?:极了|得很|透了|死了|爆了|至极)")

_UNITS = "号点天次个小时钟月年元块楼栋层人台条遍米兆日周岁位部根路期票组家户项张万千百十%岁"
_DIGIT = re.compile(rf"(?<![0-9.第])([0-9]+)(?!\.[0-9])(?![0-9]|[{_UNITS}]|分钟|分半|G|M)")
_CN_NUMERAL = {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "两": 2}
_CN_ANSWER = re.compile(r"(?:选择?|回复[:：]?|打|评|答)([一二三四壹贰叁肆])(?![" + _CJK + r"])")
_CN_ALONE = re.compile(r"^[^\w]*([一二三四壹贰叁肆])[^\w]*$")


@dataclass(frozen=True)
class Reading:
    """What a reply says: the score (None when a person must read it) and why."""

    score: int | None
    digits: tuple[int, ...] = ()
    words: tuple[int, ...] = ()
    reason: str = ""


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").translate(_TRADITIONAL)
    s = s.replace("\x00", " ")
    return _SPACE_IN_CJK.sub("", s).strip()


def _modifiers_before(prefix: str) -> tuple[list[str], int]:
    """The modifier kinds directly in front of a core, innermost first (right to left), and how
    many characters they take."""
    kinds: list[str] = []
    rest = prefix
    while rest:
        for word, kind in _MODIFIERS:
            if rest.endswith(word):
                kinds.extend(kind)  # a compound modifier lists its kinds innermost first
                rest = rest[: -len(word)]
                break
        else:
            break
    return kinds, len(prefix) - len(rest)


def _compose(polarity: int, base: int, kinds: list[str], strong_suffix: bool) -> int:
    """Score of one expression from its core and its modifiers (innermost first)."""
    negations = kinds.count("N")
    degree_inside = None  # the degree word between the core and the first negation
    degree_outside = None
    seen_negation = False
    for kind in kinds:
        if kind == "N":
            seen_negation = True
        elif kind in ("S", "M"):
            if seen_negation:
                degree_outside = degree_outside or kind
            else:
                degree_inside = degree_inside or kind
        elif kind == "Q":
            degree_outside = "S"
    if strong_suffix and not negations:
        degree_inside = "S"
    if polarity > 0:
        if negations == 0:
            return 1 if degree_inside == "S" else 2 if degree_inside == "M" else base
        if negations % 2 == 0:
            return 2  # 没有不满意
        if degree_inside in ("S", "M"):
            return 3  # 不太满意, 不是很好, 不够好
        if degree_outside == "M":
            return 3  # 有点不满意
        return 4  # 不满意, 很不好, 一点都不满意
    if negations % 2 == 1:
        return 2  # 不差, 不算太差
    if negations:
        return 4
    return 3 if degree_inside == "M" else 4 if degree_inside == "S" else base


def _expressions(s: str) -> list[tuple[int, int, int, bool]]:
    """Sentiment expressions in text order: (position, score, polarity sign, is a scale word)."""
    found: list[tuple[int, int, int, bool]] = []
    taken = [False] * len(s)

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    def take(a: int, b: int) -> None:
        for i in range(a, b):
            taken[i] = True

    for pattern, score in _PHRASES:
        for m in pattern.finditer(s):
            if free(m.start(), m.end()):
                take(m.start(), m.end())
                is_scale = m.group(0) in SCALE_WORDS
                found.append((m.start(), score, 1 if score in SATISFIED else -1, is_scale))
    cores = [(p, pol, base, False) for p, pol, base in _CORES]
    cores += [(p, pol, base, True) for p, pol, base in _CORES_NEED_DEGREE]
    for pattern, polarity, base, needs_degree in cores:
        for m in pattern.finditer(s):
            if not free(m.start(), m.end()):
                continue
            start = m.start()
            prefix = s[max(0, start - 8):start]
            # only modifiers that are not already part of another expression
            while prefix and not free(start - len(prefix), start - len(prefix) + 1):
                prefix = prefix[1:]
            kinds, used = _modifiers_before(prefix)
            if needs_degree and not any(k in ("S", "M") for k in kinds):
                continue
            suffix = _SUFFIX_STRONG.match(s[m.end():])
            score = _compose(polarity, base, kinds, bool(suffix))
            surface = s[start - used:m.end()]
            take(start - used, m.end() + (suffix.end() if suffix else 0))
            found.append((start - used, score, 1 if score in SATISFIED else -1, surface in SCALE_WORDS))
    found.sort()
    return found


def read_reply(text: str) -> Reading:
    """Read one survey reply (SAT-2). See the module docstring for the rules."""
    s = _normalise(text)
    if not s:
        return Reading(None, reason="empty")
    s = _NOISE.sub("，", s)
    numbers = [m.group(1) for m in _DIGIT.finditer(s)]
    digits = [int(n) for n in numbers if len(n) == 1 and n in "1234"]
    others = [n for n in numbers if not (len(n) == 1 and n in "1234")]
    digits += [_CN_NUMERAL[m.group(1)] for m in _CN_ANSWER.finditer(s)]
    alone = _CN_ALONE.match(s)
    if alone and not digits:
        digits.append(_CN_NUMERAL[alone.group(1)])
    words_in = _expressions(_DIGIT.sub("，", s))
    words = tuple(score for _, score, _, _ in words_in)
    digit_set = set(digits)
    if len(digit_set) > 1:
        return Reading(None, tuple(digits), words, "several digits")
    if others and not digit_set and not words:
        return Reading(None, tuple(digits), words, "a number off the scale")
    polarities = {sign for _, _, sign, _ in words_in}
    if len(polarities) > 1:
        return Reading(None, tuple(digits), words, "satisfied and dissatisfied words together")
    if digit_set:
        digit = next(iter(digit_set))
        if others:
            return Reading(None, tuple(digits), words, "a number off the scale beside the answer")
        if polarities and (1 if digit in SATISFIED else -1) not in polarities:
            return Reading(None, tuple(digits), words, "the digit contradicts the words")
        return Reading(digit, tuple(digits), words, "digit")
    if not words_in:
        return Reading(None, (), (), "no answer found")
    scale = {score for _, score, _, is_scale in words_in if is_scale}
    if len(scale) > 1:
        return Reading(None, (), words, "several words of the scale")
    if scale:
        return Reading(scale.pop(), (), words, "word of the scale")
    return Reading(words_in[0][1], (), words, "expression")


def parse_score(text: str) -> int | None:
    """The score 1–4 a reply gives, or None when it must be read by a person (SAT-2)."""
    return read_reply(text).score
