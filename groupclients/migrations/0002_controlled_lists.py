"""Controlled lists (GC-1, GC-6) and the CT-2 contact minimums, as editable rows from the start."""
from django.db import migrations

ORG_TYPES = [("government", "党政机关"), ("public_institution", "事业单位"), ("soe", "国有企业"),
             ("enterprise", "民营企业"), ("foreign", "外资企业"), ("social_org", "社会团体"), ("other", "其他")]
INDUSTRIES = [("government", "政府"), ("finance", "金融"), ("energy", "能源电力"), ("education", "教育"),
              ("health", "医疗卫生"), ("manufacturing", "制造业"), ("transport", "交通物流"), ("retail", "批发零售"),
              ("it", "信息技术"), ("construction", "建筑地产"), ("hospitality", "酒店餐饮"), ("agriculture", "农业"),
              ("other", "其他")]
PRODUCTS = [("vnet", "集团V网", "voice"), ("wireless_phone", "无线商话", "voice"), ("voice_line", "语音专线", "voice"),
            ("internet_line", "互联网专线", "internet"), ("data_line", "数据专线", "data_line"), ("idc", "IDC", "ict"),
            ("group_sms", "集团短信", "sms"), ("mailbox", "企业邮箱", "ict"), ("iot", "物联网卡", "mobile"),
            ("mobile", "手机套餐", "mobile")]
MINIMUMS = {"A": {"decision_maker": 1, "dept_head": 1, "contact": 2},
            "B": {"decision_maker": 1, "dept_head": 1, "contact": 1},
            "C": {"decision_maker": 0, "dept_head": 0, "contact": 1}}


def forwards(apps, schema_editor):
    for model, rows in (("OrganisationType", ORG_TYPES), ("Industry", INDUSTRIES)):
        M = apps.get_model("groupclients", model)
        for i, (code, name) in enumerate(rows):
            M.objects.get_or_create(code=code, defaults={"name": name, "sort": i})
    Product = apps.get_model("groupclients", "Product")
    for i, (code, name, cat) in enumerate(PRODUCTS):
        Product.objects.get_or_create(code=code, defaults={"name": name, "category": cat, "sort": i})
    ContactMinimum = apps.get_model("groupclients", "ContactMinimum")
    for grade, row in MINIMUMS.items():
        for t, n in row.items():
            ContactMinimum.objects.get_or_create(grade=grade, contact_type=t, defaults={"minimum": n})


class Migration(migrations.Migration):
    dependencies = [("groupclients", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
