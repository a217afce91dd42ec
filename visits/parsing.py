"""Reading survey replies the way subscribers write them (SPEC SAT-2, issue 16).

The survey asks for 1 非常满意, 2 较好, 3 一般 or 4 很差. People answer with a digit, a word of the
scale, or a sentence: "您好，非常满意，服务很好", "不太满意", "没有不满意的", "2 服务不错", "我选四".

How a reply is read:
1. Normalise: NFKC (full-width digits and letters, ideographic spaces), traditional characters and
   pinyin-keyboard slips (慢意 → 满意, 一班 → 一般), spaces between Chinese characters dropped.
2. A request to stop the messages (退订, 别再发了, 再发就投诉) is not an answer.
3. Set phrases are read whole first (不是一般的好 → 1, 满意个屁 → 4, 没修好 → 4, 还行 → weak 2, 没得说 → 1).
4. A question back (1是什么意思, 满意的话有奖励吗？) does not answer; what precedes it may.
5. What carries no verdict is set aside: greetings (您好, 王经理好), thanks, acknowledgements (好的,
   收到), phrases built on 好 that are not praise (不好意思, 好久, 修好, 好吗, 说不好).
6. Numbers: a digit 1–4 standing alone answers (not part of a number, not followed by a unit such as
   号/点/天/个/分钟); "4分"/"1星" is a points scale whose direction is the customer's, so only the
   words can settle it; a Chinese numeral after 选/回复/打/评, an ordinal (第四个) or alone answers.
7. Sentiment expressions: a core word (满意, 好, 不错, 棒, 差, 糟糕, 失望, 太慢, …) with the negations
   and degree words in front of it and a suffix behind it. Negation is composed, not listed:
   不满意 → 4, 不太满意 → 3, 没有不满意 → 2, 不差 → 2, 比较差 → 3, 差了点 → 3; hedges stay open
   (不是很差, 不是不好). Strong emoji (👍👍, 👎, 😡) count; a smile is politeness.
8. Decide: praise and complaint joined by 但/就是/可是 are mixed unless a digit or a scale word
   answers; weak praise (还行) gives way to a complaint beside it; otherwise satisfied and
   dissatisfied evidence together, two different digits, a digit that contradicts the words, or two
   different words of the scale are ambiguous. A digit wins, then a word of the scale, then the
   strongest expression. A lone 好 is as often "OK" as "good": a person reads it.

Ambiguous or empty replies return None: they are kept and shown, and a person settles them
(never guessed). The corpus in tests/visits/data/reply_corpus.tsv holds the expected reading of
several hundred realistic replies; reply_corpus_blind.tsv and reply_corpus_holdout.tsv were written
by people who never saw this code. bench/replies.py prints the accuracy on each.
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
                              "說": "说", "沒": "没", "蠻": "蛮", "專": "专", "業": "业", "讚": "赞",
                              "價": "价", "還": "还", "麼": "么", "嗎": "吗", "評": "评", "態": "态"})
# Typing slips of the pinyin keyboard that still say what the customer meant.
_TYPOS = {"慢意": "满意", "满义": "满意", "蛮意": "满意", "瞒意": "满意", "费常": "非常", "非长": "非常",
          "一班": "一般", "一版": "一般", "很查": "很差", "很茶": "很差", "太茶": "太差", "太查": "太差",
          "不措": "不错", "不粗": "不错", "较号": "较好", "交好": "较好", "教好": "较好", "很擦": "很差",
          "一搬": "一般", "满易": "满意", "布满意": "不满意", "部满意": "不满意", "灰常": "非常", "飞常": "非常",
          "肥肠": "非常", "阔以": "可以", "辣鸡": "垃圾", "拉垮": "拉胯",
          # Cantonese and other dialect spellings of common words
          "唔": "不", "冇": "没", "莫得": "没得", "系": "是", "滴": "的", "哋": "地"}
_TYPO = re.compile("|".join(map(re.escape, sorted(_TYPOS, key=len, reverse=True))))
# Replies typed in pinyin without tones, read as the characters they stand for.
_PINYIN = {"feichang": "非常", "fei chang": "非常", "manyi": "满意", "man yi": "满意", "bijiao": "比较",
           "hao": "好", "yiban": "一般", "yi ban": "一般", "hen": "很", "cha": "差", "bu": "不", "tai": "太",
           "ting": "挺", "hai xing": "还行", "haixing": "还行", "ke yi": "可以", "keyi": "可以", "de": "的", "ba": "吧"}
_PINYIN_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _PINYIN), key=len, reverse=True)) + r")\b")
# English replies: (pattern, score), longest first; "not" in front turns the reading.
_ENGLISH: list[tuple[re.Pattern, int]] = [(re.compile(p, re.IGNORECASE), sc) for p, sc in [
    (r"\bnot (?:very |really |so |too )(?:satisfied|happy|good)\b", 3),
    (r"\bnot (?:satisfied|happy|good)(?: at all)?\b", 4),
    (r"\bnot bad\b", 2), (r"\b(?:very|extremely|really|so) (?:satisfied|happy|good)\b", 1),
    (r"\b(?:excellent|perfect|fantastic|great|awesome|amazing|wonderful|outstanding)\b", 1),
    (r"\b(?:satisfied|happy|good|nice|fine|thumbs up|pretty good|good job)\b", 2),
    (r"\b(?:so-so|so so|average|fair|meh|mediocre|okay-ish)\b", 3),
    (r"\b(?:bad|poor|terrible|awful|horrible|worst|useless|disappointed|unhappy|unsatisfied|dissatisfied|a joke)\b", 4),
]]
_CJK = r"\u3400-\u9fff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_MASK = "|"  # what a read or discarded span is replaced by, so positions stay put

# A request to stop the messages is not an answer, whatever words it uses (再发就投诉你们).
_OPT_OUT = re.compile(r"退订|取消订阅|^\W*(?:T|TD|N)\W*$|别(?:再)?(?:给我)?发|不要(?:再)?(?:给我)?发|再发就|不用回复",
                      re.IGNORECASE)

# Set phrases read whole, first (before anything is discarded): (pattern, score, weak).
# A weak praise (还行, 还可以) gives way to a complaint beside it: 还行吧，有待提高 → 3.
_PHRASES: list[tuple[re.Pattern, int, bool]] = [(re.compile(p, re.IGNORECASE), s, w) for p, s, w in [
    (r"不是一般的(?:好|满意|棒)", 1, False), (r"(?:满意|好)个(?:屁|鬼|头)", 4, False),
    (r"(?:非常满意|满意|好|不错)才怪", 4, False), (r"还好意思", 4, False),
    (r"不能再(?:满意|好)", 1, False), (r"(?:哪有|没有|没什么|没啥)不满意", 2, False),
    (r"无可挑剔", 1, False), (r"(?:没什么|没啥|没有什么)(?:可|好)?挑剔", 2, False),
    (r"(?:五星)?好评", 1, False), (r"(?:必须|给你们?)?点赞", 1, False), (r"差评", 4, False),
    (r"杠杠[的滴哒]?", 1, False), (r"没得说", 1, False), (r"完美", 1, False), (r"yyds", 1, False),
    (r"(?:太|很|真|超)牛", 1, False), (r"满分", 1, False), (r"零分", 4, False),
    (r"(?:还)?不赖", 2, False), (r"好多了", 2, False), (r"没(?:有)?(?:问题|毛病)", 2, False),
    (r"还(?:可以|行)", 2, True),
    (r"(?:根本|都|还|也)?没(?:有)?人(?:管|理|来|处理|上门|接|联系|回)", 4, False), (r"不理人", 4, False),
    (r"没(?:有)?(?:修|弄|搞|处理|装)好", 4, False), (r"(?:问题)?(?:还|也|都)?没(?:有)?解决", 4, False),
    (r"(?:又|老是|总是|经常|动不动就)断", 4, False), (r"没(?:有)?(?:一点)?用", 4, False),
    (r"效率(?:太|很|特别|非常)?低", 4, False), (r"(?:慢|烦|气|差)死了", 4, False),
    (r"拉胯", 4, False), (r"骗子", 4, False), (r"什么玩意", 4, False), (r"啥也不是", 4, False),
    (r"一塌糊涂", 4, False), (r"(?:太|很|真|好)水", 4, False), (r"瞎搞", 4, False), (r"不合格", 4, False),
    (r"负分", 4, False), (r"[0零]分都多", 4, False), (r"一星都不(?:想)?给", 4, False), (r"推扳", 4, False),
    (r"蹩脚", 4, False), (r"孬", 4, False), (r"稀碎", 4, False), (r"埋汰", 4, False), (r"恶心", 4, False),
    (r"没眼睇", 4, False), (r"什么(?:破|烂)?(?:服务|玩意)", 4, False), (r"破(?:宽带|网|专线|电话|服务|玩意)", 4, False),
    (r"(?:还是|又|老|总是|经常|天天|一直|动不动就)(?:断|掉线|不通|上不了网|没信号|坏)", 4, False),
    (r"(?:专线|宽带|网络|网|线路|电话)(?:又|还是|都)?(?:断了|不通|瘫了|瘫痪)", 4, False),
    (r"修了[一二三四五六七八九十两几\d]+(?:次|回|遍)", 4, False), (r"修了跟没修一样", 4, False),
    (r"(?:电话|手机)(?:也|都)?(?:不接|打不通|没人接)", 4, False), (r"拍拍屁股", 4, False), (r"没影", 4, False),
    (r"迟到", 4, False), (r"断网|掉线|停网|断线", 4, False), (r"损失", 4, False),
    (r"销户|换运营商|携号转网|转网", 4, False),
    (r"(?:一件|一点)?都没(?:办|做|落实|兑现)", 4, False), (r"没(?:办成|办好|做到|落实|兑现)", 4, False),
    (r"不存在的(?=\W*$)", 4, False),
    (r"(?:一流|十全十美|顶呱呱|挑不出毛病|没话说|没的说|再满意不过|没有比这更好)", 1, False),
    (r"(?:巴适|安逸)(?:得板|惨了|得很)", 1, False), (r"中意", 2, False),
    (r"(?:超|好|老|真|邪气)正", 1, False), (r"正到爆", 1, False),
    (r"(?:可以|还)再好一点|还有提升空间|还需努力|有待提升|差强人意|不过不失|麻麻地|不咸不淡|将就|中评", 3, False),
    (r"没什么毛病", 2, False), (r"还成", 2, True), (r"^\W*中\W*$", 2, False), (r"叫好", 2, False),
    (r"(?:10|十)分(?![钟\u3400-\u9fff])", 1, False),
    (r"没(?:有)?(?:想象|预期|期待|说)(?:的|中)?(?:那么|那样)?好", 3, False), (r"不如(?:以前|从前|之前|预期)", 3, False),
    (r"(?:有待|还需|需要|还要|有待于)(?:提高|改进|加强|改善)", 3, False), (r"一般(?:般|化)?", 3, False),
    (r"普普通通", 3, False), (r"凑合", 3, False), (r"不怎么样", 3, False), (r"不咋(?:地|样|的)", 3, False),
    (r"马马虎虎", 3, False), (r"过得去", 3, False), (r"就那样", 3, False), (r"中规中矩", 3, False),
]]

# Phrases that carry no verdict, discarded next (greetings, thanks, acknowledgements, set phrases
# built on 好 that are not praise).
_NOISE = re.compile("|".join([
    r"不好意思", r"说不好", r"不好说", r"说不清", r"不知道", r"不清楚", r"不一定", r"不用了?", r"好意思",
    rf"[{_CJK}]{{0,2}}经理(?:您|你)?好", r"(?:您|你|大家|早上|上午|下午|晚上|老师|师傅)们?好",
    r"(?:非常|十分)?(?:谢谢|感谢|多谢)(?:您|你)?(?:们)?(?:的)?(?:服务|关心|支持)?", r"辛苦(?:了|啦)?",
    r"(?:^|(?<=[，,。.！!？?\s|]))好的", r"(?:^|(?<=[，,。.！!？?\s|]))好吧",
    r"好久", r"好几", r"好多", r"好像", r"只好", r"正好", r"刚好", r"最好", r"好在", r"好不好", r"更好",
    r"(?:满意|好|可以|行)(?:吗|么)", r"(?:满意|好|可以|行)不(?=$|[？?，,。.！!])",
    r"(?:修|弄|搞|做|办|装|调|处理|准备|约|谈|接|说|讲)好", r"才好", r"收到", r"知道了", r"呵呵", r"不客气|别客气",
    r"是好是坏|好坏|好与坏", r"满意不满意", r"唔该晒?|谢谢侬|多谢晒",
    r"出差|差不多|差旅|差价|相差|误差|差额|差异|偏差|时差|差事", r"负责人", r"晚点(?:回|再|到|联系)",
    r"就(?:行|好|可以)(?=\W*$)",
]))

# A question back is not an answer: 1是什么意思, 满意的话有什么奖励吗？
_QUESTION = re.compile(r"[?？]|吗|(?<!没)(?<!没有)什么|(?<!不)怎么(?!样)|哪(?!有)|多少(?!遍|次|回|天)|是不是"
                       r"|能不能|有没有|(?<!没)啥|不会是.{0,8}吧")
# Praise and complaint joined by 但/就是/可是…: mixed, a person reads it.
_CONTRAST = re.compile(r"但是|但|可是|不过|就是|只是|然而|却|可惜")
# A change of mind: what follows the last of these is the answer (3，不对，应该是1).
_CORRECTION = re.compile(r"不对|应该是|改成|改为|更正|开个?玩笑")
_FORMER_CHOICE = re.compile(r"(?:本来|原来|原本)(?:想|打算|要)(?:选|打|给)?[1-4一二三四]")

# Core words: (pattern, polarity, base score). Polarity +1 praise, -1 complaint.
_CORES: list[tuple[re.Pattern, int, int]] = [(re.compile(p), pol, base) for p, pol, base in [
    (r"满意", 1, 2), (r"不错", 1, 2), (r"棒", 1, 1), (r"赞", 1, 1), (r"给力", 1, 1), (r"到位", 1, 2),
    (r"周到", 1, 2), (r"专业", 1, 2), (r"及时", 1, 2), (r"准时", 1, 2), (r"负责", 1, 2), (r"热情", 1, 2),
    (r"耐心", 1, 2), (r"理想", 1, 2), (r"清楚", 1, 2), (r"顺利", 1, 2), (r"客气", 1, 2), (r"贴心", 1, 2),
    (r"敬业", 1, 2), (r"地道", 1, 2), (r"巴适|安逸|得劲|带劲|靠谱", 1, 2), (r"灵额?", 1, 2),
    (r"(?:可以|行)(?=$|[吧啊的哈呀啦了呢哦]|[^\w])", 1, 2),
    (r"差劲|差", -1, 4), (r"糟糕|糟", -1, 4), (r"烂", -1, 4), (r"垃圾", -1, 4), (r"失望", -1, 4),
    (r"生气|气人", -1, 4), (r"恶劣", -1, 4), (r"敷衍", -1, 4), (r"投诉", -1, 4), (r"不满(?!意)", -1, 4),
    (r"无语", -1, 4), (r"坑", -1, 4),
    # 好 last: in 好差, 好专业 it is a degree word in front of another core, read with that core.
    (r"好", 1, 2),
]]
# Words that count only with a degree in front or behind them: 太慢, 有点晚, 挺快的, 慢死了.
_CORES_NEED_DEGREE = [(re.compile(r"慢|晚|贵|烦"), -1, 4), (re.compile(r"快"), 1, 2)]
_WEAK = {"还好", "还行", "还可以", "可以", "行", "还成"}

# Modifiers in front of a core, read right to left. Kinds: N negation, S strong, M mild,
# Q quantifier of a negation (一点都不, 完全不), F filler, A a hedge that leaves it open (不是不好).
_MODIFIERS = sorted([
    ("不", "N"), ("没", "N"), ("没有", "N"), ("无", "N"), ("未", "N"), ("别", "N"), ("并不", "N"),
    ("不是不", "A"), ("说不上", "W"), ("谈不上", "W"), ("算不上", "W"),
    ("贼", "S"), ("贼拉", "S"), ("嘎嘎", "S"), ("倍儿", "S"), ("邪气", "S"), ("巨", "S"), ("特", "S"),
    ("老", "S"), ("好", "S"), ("几", "M"),
    ("非常", "S"), ("很", "S"), ("特别", "S"), ("十分", "S"), ("超级", "S"), ("超", "S"), ("相当", "S"),
    ("太", "S"), ("极", "S"), ("极其", "S"), ("真", "S"), ("真的", "S"), ("最", "S"), ("实在", "S"),
    ("比较", "M"), ("较", "M"), ("还", "M"), ("挺", "M"), ("蛮", "M"), ("还算", "M"), ("算", "M"),
    ("基本", "M"), ("基本上", "M"), ("总体", "M"), ("整体", "M"), ("还是", "M"), ("有点", "M"), ("有些", "M"),
    ("有一点", "M"), ("没有一点", "QN"), ("没一点", "QN"),
    ("稍微", "M"), ("稍", "M"), ("略", "M"), ("略微", "M"), ("够", "M"), ("怎么", "M"),
    ("一点都", "Q"), ("一点也", "Q"), ("一点儿都", "Q"), ("一点", "Q"), ("完全", "Q"), ("根本", "Q"),
    ("什么", "F"), ("是", "F"), ("都", "F"), ("也", "F"), ("得", "F"), ("感觉", "F"), ("觉得", "F"),
], key=lambda m: -len(m[0]))
_SUFFIX_STRONG = re.compile(r"^(?:极了|得很|透了|死了|爆了|至极|到爆|到家了?|得不得了|到没朋友|得没话说|惨了)")
_SUFFIX_MILD = re.compile(r"^(?:了一点|了点|一点|点)")

# Emoji: strong ones count as evidence (and contradict a digit); a smile is only politeness.
_EMOJI_POSITIVE = "👍💯😍🥰👏❤♥🌟🎉"
_EMOJI_NEGATIVE = "👎😡😠😤💢🤬😞😒"

_UNITS = "号点天次个小时钟月年元块楼栋层人台条遍米兆日周岁位部根路期票组家户项张万千百十%"
_DIGIT = re.compile(rf"(?<![0-9.第])([0-9]+)(?!\.[0-9])(?![0-9]|[{_UNITS}]|分钟|分半|G|M)")
# "4分" or "1星" reads on a points scale whose direction is the customer's, not the survey's
# (4 is 很差 on the survey, but 4 points of 5 is good): the words decide, or a person.
_POINTS = re.compile(r"^(?:分|星)")
_CN_NUMERAL = {"一": 1, "二": 2, "三": 3, "四": 4, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "两": 2}
_ORDINAL = re.compile(r"第([一二三四1-4])(?:个|项|种|条|个选项)")
_CN_ANSWER = re.compile(r"(?:选择?|回复[:：]?|打|评|答)([一二三四壹贰叁肆])(?![" + _CJK + r"])")
_CN_ALONE = re.compile(r"^[^\w]*([一二三四壹贰叁肆])[吧啊呀哈呢的]?[^\w]*$")


@dataclass(frozen=True)
class Reading:
    """What a reply says: the score (None when a person must read it) and why."""

    score: int | None
    digits: tuple[int, ...] = ()
    words: tuple[int, ...] = ()
    reason: str = ""


@dataclass
class _Expr:
    at: int
    score: int
    is_scale: bool = False
    weak: bool = False
    bare: bool = False  # a lone 好: an acknowledgement as often as a verdict

    @property
    def sign(self) -> int:
        return 1 if self.score in SATISFIED else -1


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").translate(_TRADITIONAL)
    s = s.replace("\x00", " ")
    s = _TYPO.sub(lambda m: _TYPOS[m.group(0)], s)
    return _SPACE_IN_CJK.sub("", s).strip()


def _mask(s: str, a: int, b: int) -> str:
    return s[:a] + _MASK * (b - a) + s[b:]


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


def _compose(polarity: int, base: int, kinds: list[str], suffix: str) -> int:
    """Score of one expression from its core and its modifiers (innermost first); 0 when it stays
    open (不是很差, 不是不好)."""
    if "A" in kinds:
        return 0
    if "W" in kinds:  # 说不上满意, 谈不上好: not praise, not a complaint either → fair
        return 3 if polarity > 0 else 0
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
    if suffix and not negations:
        degree_inside = suffix
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
        return 0 if degree_inside == "S" else 2  # 不差, 不算差 → 2; 不是很差, 不算太差 → open
    if negations:
        return 4
    return 3 if degree_inside == "M" else 4 if degree_inside == "S" else base


def _core_expressions(s: str) -> tuple[list[_Expr], str]:
    """Composed expressions (core word with its modifiers) in `s`, and `s` with them masked."""
    found: list[_Expr] = []
    cores = [(p, pol, base, False) for p, pol, base in _CORES]
    cores += [(p, pol, base, True) for p, pol, base in _CORES_NEED_DEGREE]
    for pattern, polarity, base, needs_degree in cores:
        for m in pattern.finditer(s):
            start = m.start()
            if _MASK in s[start:m.end()]:
                continue
            prefix = s[max(0, start - 8):start].rsplit(_MASK, 1)[-1]
            kinds, used = _modifiers_before(prefix)
            after = s[m.end():]
            strong, mild = _SUFFIX_STRONG.match(after), _SUFFIX_MILD.match(after)
            suffix = "S" if strong else "M" if (mild and polarity < 0) else ""
            if needs_degree and not suffix and not any(k in ("S", "M") for k in kinds):
                continue
            score = _compose(polarity, base, kinds, suffix)
            surface = s[start - used:m.end()]
            end = m.end() + (strong.end() if strong else mild.end() if suffix == "M" else 0)
            s = _mask(s, start - used, end)
            if score:
                found.append(_Expr(start - used, score, surface in SCALE_WORDS, surface in _WEAK,
                                   bare=surface == "好" and not suffix))
    return found, s


def _bare_clause(s: str, at: int) -> bool:
    """Whether the clause around position `at` says nothing but what was read there: 还行吧 is a
    verdict on its own; 技术可以 or 宽带还行 praises one thing beside another."""
    start = max((s.rfind(p, 0, at) for p in "，,。.！!；; "), default=-1) + 1
    ends = [i for i in (s.find(p, at) for p in "，,。.！!；; ") if i >= 0]
    clause = s[start:min(ends) if ends else len(s)]
    return not re.sub(r"[|吧啊呀哈呢的了嘛哦啦\W]", "", clause)


def read_reply(text: str) -> Reading:
    """Read one survey reply (SAT-2). See the module docstring for the rules."""
    s = _normalise(text)
    if not re.search(r"\w", s) and not any(ch in s for ch in _EMOJI_POSITIVE + _EMOJI_NEGATIVE):
        return Reading(None, reason="empty")
    if _OPT_OUT.search(s):
        return Reading(None, reason="asks to stop the messages")
    corrections = list(_CORRECTION.finditer(s))
    if corrections and re.search(r"\w", s[corrections[-1].end():]):
        s = s[corrections[-1].end():]  # 3，不对，应该是1: the answer after the last change of mind
    s = _FORMER_CHOICE.sub(lambda m: _MASK * len(m.group(0)), s)  # 本来想选3，…选2吧
    words: list[_Expr] = []
    for pattern, score in _ENGLISH:
        for m in pattern.finditer(s):
            if _MASK not in m.group(0):
                words.append(_Expr(m.start(), score))
                s = _mask(s, m.start(), m.end())
    if s.isascii():
        s = _PINYIN_WORD.sub(lambda m: _PINYIN[m.group(1)], s.lower())
        s = _SPACE_IN_CJK.sub("", s)
    for pattern, score, weak in _PHRASES:
        for m in pattern.finditer(s):
            if _MASK not in m.group(0):
                words.append(_Expr(m.start(), score, m.group(0) in SCALE_WORDS, weak))
                s = _mask(s, m.start(), m.end())
    # A question back does not answer (1是什么意思, 满意的话有什么奖励吗); the clauses around it may
    # (非常满意，请问怎么续费; 不满意的话选4对吧？那就4).
    asked = False
    while (question := _QUESTION.search(s)) is not None:
        asked = True
        start = max((s.rfind(p, 0, question.start()) for p in "，,。.！!；;"), default=-1) + 1
        ends = [i for i in (s.find(p, question.start()) for p in "？?，,。.！!；;") if i >= 0]
        end = min(ends) + 1 if ends else len(s)
        s = s[:start] + " " * (end - start) + s[end:]
        words = [e for e in words if not start <= e.at < end]
    if asked and not re.search(r"\w", s.replace(_MASK, "")) and not words:
        return Reading(None, reason="a question back")
    s = _NOISE.sub(lambda m: _MASK * len(m.group(0)), s)
    digits: list[int] = []
    points: list[int] = []
    others: list[str] = []
    for m in _ORDINAL.finditer(s):
        digits.append(_CN_NUMERAL.get(m.group(1)) or int(m.group(1)))
        s = _mask(s, m.start(), m.end())
    for m in _DIGIT.finditer(s):
        n = m.group(1)
        if len(n) == 1 and n in "1234":
            (points if _POINTS.match(s[m.end():]) else digits).append(int(n))
        elif len(n) <= 4:  # a ticket or phone number is not a competing answer; 5 or 2024 is
            others.append(n)
    s = _DIGIT.sub(lambda m: _MASK * len(m.group(0)), s)
    for m in _CN_ANSWER.finditer(s):
        digits.append(_CN_NUMERAL[m.group(1)])
    alone = _CN_ALONE.match(s.replace(_MASK, ""))
    if alone and not digits:
        digits.append(_CN_NUMERAL[alone.group(1)])
    core, s = _core_expressions(s)
    words = sorted(words + core, key=lambda e: e.at)
    scores = tuple(e.score for e in words)
    positive_emoji = sum(s.count(ch) for ch in _EMOJI_POSITIVE)
    negative_emoji = sum(s.count(ch) for ch in _EMOJI_NEGATIVE)
    contrast = _CONTRAST.search(s)
    explicit = bool(digits) or any(e.is_scale for e in words)
    if contrast and words and not explicit:
        left = re.sub(r"[\W_]", "", s[:contrast.start()].replace(_MASK, "x"))
        right = re.sub(r"[\W_]", "", s[contrast.end():].replace(_MASK, "x"))
        if left and right:
            return Reading(None, tuple(digits), scores, "praise and complaint joined by 但/就是")
    signs = {e.sign for e in words}
    if positive_emoji and not negative_emoji:
        signs_with_emoji = signs | {1}
    elif negative_emoji and not positive_emoji:
        signs_with_emoji = signs | {-1}
    else:
        signs_with_emoji = signs
    if len(signs) > 1 and all(e.weak and _bare_clause(s, e.at) for e in words if e.sign > 0):
        words = [e for e in words if e.sign < 0]  # 还行吧，有待提高: the complaint is the answer
        signs = {-1}
        signs_with_emoji = signs_with_emoji - {1} if not positive_emoji else signs_with_emoji
    digit_set = set(digits)
    if len(digit_set) == 1 and contrast and len(signs) > 1:
        # 服务态度还行，就是速度一般，3吧: the digit answers when what follows 但/就是 agrees with it
        digit_sign = 1 if next(iter(digit_set)) in SATISFIED else -1
        after = {e.sign for e in words if e.at >= contrast.start()}
        if after == {digit_sign}:
            words = [e for e in words if e.sign == digit_sign]
            signs = signs_with_emoji = {digit_sign}
    if len(digit_set) > 1:
        return Reading(None, tuple(digits), scores, "several digits")
    if len(signs_with_emoji) > 1:
        return Reading(None, tuple(digits), scores, "satisfied and dissatisfied together")
    if digit_set:
        digit = next(iter(digit_set))
        if others or points:
            return Reading(None, tuple(digits), scores, "another number beside the answer")
        if signs_with_emoji and (1 if digit in SATISFIED else -1) not in signs_with_emoji:
            return Reading(None, tuple(digits), scores, "the digit contradicts the words")
        return Reading(digit, tuple(digits), scores, "digit")
    if not words:
        if negative_emoji:
            return Reading(4, (), (), "emoji")
        if positive_emoji >= 2 or any(ch in s for ch in "💯😍🥰"):
            return Reading(1, (), (), "emoji")
        if s.count("👍") == 1:
            return Reading(2, (), (), "emoji")
        return Reading(None, (), (), "points without words" if points else "no answer found")
    if len(words) == 1 and words[0].bare:
        return Reading(None, (), scores, "a lone 好 (as often 'OK' as 'good')")
    scale = {e.score for e in words if e.is_scale}
    if len(scale) > 1:
        return Reading(None, (), scores, "several words of the scale")
    if scale:
        return Reading(scale.pop(), (), scores, "word of the scale")
    side = words[0].sign
    strongest = min(e.score for e in words) if side > 0 else max(e.score for e in words)
    return Reading(strongest, (), scores, "expression")


def parse_score(text: str) -> int | None:
    """The score 1–4 a reply gives, or None when it must be read by a person (SAT-2)."""
    return read_reply(text).score
