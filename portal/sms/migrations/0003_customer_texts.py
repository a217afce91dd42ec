"""Issue 16 item 5: customer texts without staff tags or internal codes, signed; the ticket's own
rating survey; credit notices as customer templates. A text an administrator has edited is kept."""
from django.db import migrations

from portal.sms.defaults import DEFAULT_TEMPLATES

OLD_TEXTS = {
    "survey": "【集团客户服务】{{ name }}您好，感谢您接待客户经理{{ manager }}的走访。"
    "请回复数字评价本次服务：1 非常满意，2 较好，3 一般，4 很差。回复免费。",
    "greeting": "【客户关怀】尊敬的{{ name }}，值此{{ occasion|default:'佳节' }}之际，谨向您致以诚挚的祝福！"
    "感谢您一直以来的信任与支持，祝您工作顺利、阖家幸福。"
    "{% if manager %}您的客户经理{{ manager }}{% endif %}",
}


def forward(apps, schema_editor):
    SmsTemplate = apps.get_model("sms", "SmsTemplate")
    for row in DEFAULT_TEMPLATES:
        fields = {f: row[f] for f in ("name", "text", "description")}
        obj, created = SmsTemplate.objects.get_or_create(key=row["key"], defaults=fields)
        if not created and row["key"] in OLD_TEXTS and obj.text == OLD_TEXTS[row["key"]]:
            obj.text, obj.description = row["text"], row["description"]
            obj.save(update_fields=["text", "description"])


def backward(apps, schema_editor):
    SmsTemplate = apps.get_model("sms", "SmsTemplate")
    SmsTemplate.objects.filter(key__in=["ticket_survey", "credit_reminder", "credit_half_suspension"]).delete()
    for key, text in OLD_TEXTS.items():
        SmsTemplate.objects.filter(key=key).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("sms", "0002_default_templates")]
    operations = [migrations.RunPython(forward, backward)]
