"""The default SMS templates (SPEC SMS-4, SAT-2, TKT-2, RET-6), in Django template syntax.

The data migration seeds them as admin-editable rows; `template_render` falls back to these texts
when a row is missing (deleted, or a test database flushed), so sending never depends on seeding.
"""

DEFAULT_TEMPLATES = [
    {
        "key": "survey",
        "name": "走访满意度调查",
        # Under 70 characters with usual names: one SMS, not two.
        "text": "【集团客户服务】{{ name }}您好，感谢您接待客户经理{{ manager }}的走访。"
        "请回复数字评价本次服务：1 非常满意，2 较好，3 一般，4 很差。回复免费。",
        "description": "Sent to every contact met after a visit log is saved (SAT-1, SAT-2) and after a "
        "ticket is repaired (TKT-7). Variables: name, manager. Replies 1-4 are "
        "parsed by the survey handler.",
    },
    {
        "key": "dispatch",
        "name": "故障派单通知",
        "text": "【故障派单】工单{{ ticket_no }}：{{ group }}{% if site %}（{{ site }}）{% endif %}"
        "{{ product }}故障，级别：{{ severity }}。报障人{{ reporter }}，回呼号码{{ callback }}。"
        "请尽快联系客户并在门户确认接单。",
        "description": "Sent to the local account manager and maintenance manager when a ticket is "
        "dispatched (TKT-2). Variables: ticket_no, group, site, product, severity, "
        "reporter, callback.",
    },
    {
        "key": "reminder",
        "name": "工作提醒",
        "text": "【工作提醒】{{ name }}您好：{{ message }}{% if due %}，请于{{ due }}前处理{% endif %}。",
        "description": "Reminders to staff: overdue visits, repair deadlines, expiring contracts "
        "(JOB-1, SAT-3, RET-5). Variables: name, message, due.",
    },
    {
        "key": "greeting",
        "name": "客户关怀祝福",
        "text": "【客户关怀】尊敬的{{ name }}，值此{{ occasion|default:'佳节' }}之际，谨向您致以诚挚的祝福！"
        "感谢您一直以来的信任与支持，祝您工作顺利、阖家幸福。"
        "{% if manager %}您的客户经理{{ manager }}{% endif %}",
        "description": "Birthday and holiday greetings to key persons (RET-6; not sent to do-not-disturb "
        "contacts). Variables: name, occasion (e.g. 生日, 春节), manager.",
    },
]

DEFAULT_TEXTS = {row["key"]: row["text"] for row in DEFAULT_TEMPLATES}
