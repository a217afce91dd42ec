"""Phone numbers (SPEC SMS-1, SMS-3): every outbox row and inbound sender is an 11-digit mainland number."""

import pytest

from portal.exceptions import ApplicationError
from portal.sms.numbers import clean_number, normalise_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "8613800138000",
        "008613800138000",
        "+86 138 0013 8000",
        " 138-0013-8000 ",
        "(+86) 138 0013 8000",
        "138\u30000013\u30008000",
    ],
)
def test_mobile_numbers_are_normalised(raw):
    """SMS-1: +86/86/0086 prefixes, spaces (also full-width), dashes and brackets are removed."""
    assert normalise_mobile(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw", ["", "10086", "1380013800", "138001380001", "12800138000", "+1 415 555 0100", "1380013800x"]
)
def test_non_mobiles_are_refused_for_sending(raw):
    """SMS-1: a landline, short code or malformed number cannot be queued."""
    with pytest.raises(ApplicationError):
        normalise_mobile(raw)


def test_clean_number_keeps_short_codes():
    """SMS-3: inbound receivers are service numbers; they are cleaned, not rejected."""
    assert clean_number("10086") == "10086"
    assert clean_number("+86 10086") == "10086"
    assert clean_number("+86 138 0013 8000") == "13800138000"
