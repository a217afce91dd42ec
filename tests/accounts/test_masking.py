"""ORG-4: personal data masked for non-owners."""
import datetime as dt

from accounts.masking import mask_date, mask_id_number, mask_mobile, mask_name


def test_mask_mobile_keeps_prefix_and_last_four():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+8613812345678") == "+86****5678"
    assert mask_mobile("12345") == "*****"
    assert mask_mobile("") == "" and mask_mobile(None) == ""


def test_mask_id_number_and_dates_and_names():
    assert mask_id_number("330106199001011234") == "3301**********1234"
    assert mask_date(dt.date(1990, 1, 1)) == "****-**-**"
    assert mask_date(None) == ""
    assert mask_name("张三丰") == "张**"
