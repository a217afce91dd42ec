"""The default SMS templates (SPEC SMS-4, SAT-2, TKT-2, TKT-7, RET-6, CC-4), in Django template syntax.

The data migrations seed them as admin-editable rows; `template_render` falls back to these texts
when a row is missing (deleted, or a test database flushed), so sending never depends on seeding.

Each template has an audience (issue 16 item 5). Customer texts carry no staff tag (【工作提醒】) and
no internal code (an account is named by the last four digits of its number), and end with the
operator's signature (`{{ signature }}`, the policy value sms.customer_signature, filled in by
`template_render`). Staff texts may carry tags and codes. Templates marked `quiet` (surveys and care
messages) wait in the outbox through quiet hours (policy sms.quiet_from_hour … sms.quiet_until_hour).
"""

CUSTOMER, STAFF = "customer", "staff"

DEFAULT_TEMPLATES = [
    {
        "key": "survey",
        "name": "走访满意度调查",
        "audience": CUSTOMER, "quiet": True,
        # Under 70 characters with usual names: one SMS, not two.
        "text": "{{ name }}您好，感谢您接待客户经理{{ manager }}的走访。"
        "请回复数字评价本次走访：1 非常满意，2 较好，3 一般，4 很差。回复免费。{{ signature }}",
        "description": "Sent to every contact met after a visit log is saved (SAT-1, SAT-2). Variables: "
        "name, manager, signature. Replies 1-4 are read by the survey handler.",
    },
    {
        "key": "ticket_survey",
        "name": "故障修复满意度调查",
        "audience": CUSTOMER, "quiet": True,
        "text": "{{ name }}您好，您报修的{{ product|default:'业务' }}故障已处理完毕。"
        "请回复数字评价本次维修服务：1 非常满意，2 较好，3 一般，4 很差。回复免费。{{ signature }}",
        "description": "Sent to the reporter when the MM reports a fault repaired (TKT-7). Variables: name, "
        "product, signature. The answer rates the ticket.",
    },
    {
        "key": "dispatch",
        "name": "故障派单通知",
        "audience": STAFF,
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
        "audience": STAFF,
        "text": "【工作提醒】{{ name }}您好：{{ message }}{% if due %}，请于{{ due }}前处理{% endif %}。",
        "description": "Reminders to staff: overdue visits, repair deadlines, expiring contracts "
        "(JOB-1, SAT-3, RET-5). Variables: name, message, due.",
    },
    {
        "key": "greeting",
        "name": "客户关怀祝福",
        "audience": CUSTOMER, "quiet": True,
        "text": "尊敬的{{ name }}，值此{{ occasion|default:'佳节' }}之际，谨向您致以诚挚的祝福！"
        "感谢您一直以来的信任与支持，祝您工作顺利、阖家幸福。"
        "{% if manager %}您的客户经理{{ manager }}{% endif %}{{ signature }}",
        "description": "Birthday and holiday greetings to key persons (RET-6; not sent to do-not-disturb "
        "contacts). Variables: name, occasion (e.g. 生日, 春节), manager, signature.",
    },
    {
        "key": "credit_reminder",
        "name": "缴费提醒",
        "audience": CUSTOMER,
        "text": "尊敬的客户，您尾号{{ account_tail }}的账户应缴{{ amount }}元，请于{{ due }}前缴费，"
        "以免影响使用。{{ signature }}",
        "description": "Sent before the agreed payment date (CC-4). Variables: account_tail (last four "
        "digits of the account number), amount, due, signature.",
    },
    {
        "key": "credit_half_suspension",
        "name": "欠费半停机通知",
        "audience": CUSTOMER,
        "text": "尊敬的客户，您尾号{{ account_tail }}的账户欠费{{ amount }}元，已暂停呼出（可正常接听），"
        "如未缴清将于{{ until }}停机，缴费后自动恢复。{{ signature }}",
        "description": "Sent when outgoing calls are barred for arrears (CC-4). Variables: account_tail, "
        "amount, until (time of full suspension), signature.",
    },
]

DEFAULT_TEXTS = {row["key"]: row["text"] for row in DEFAULT_TEMPLATES}
CUSTOMER_TEMPLATES = frozenset(row["key"] for row in DEFAULT_TEMPLATES if row["audience"] == CUSTOMER)
QUIET_TEMPLATES = frozenset(row["key"] for row in DEFAULT_TEMPLATES if row.get("quiet"))


def account_tail(number: str) -> str:
    """How a customer text names an account: the last four digits of its number (never the code)."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return digits[-4:].rjust(4, "0")
