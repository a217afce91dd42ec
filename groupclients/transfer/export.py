"""Import templates, and exports of the customer file: the rows the user may see (ORG-3), personal
data masked unless they own the record (ORG-4), every cell through portal.spreadsheet.write_row."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from accounts.models import User
from portal.spreadsheet import write_row

from .kinds import Kind


def template_workbook(kind: Kind) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = kind.key
    write_row(ws, [c.zh + ("*" if c.required else "") for c in kind.columns])
    write_row(ws, [c.example for c in kind.columns])
    help_ws = wb.create_sheet("说明 Help")
    write_row(help_ws, ["列 / column", "English", "key", "必填 required"])
    for c in kind.columns:
        write_row(help_ws, [c.zh, c.en, c.key, "是 yes" if c.required else ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


EXPORT_KINDS = ("groups", "sites", "contacts", "members")


EXPORT_FORMATS = ("xlsx", "csv")


def _export_rows(kind_key: str, user: User, group_filters=None) -> Iterator[list]:
    """The header, then the rows of one kind in the user's scope, masked for non-owners (ORG-4)."""
    from ..scopes import sees_financials
    from ..selectors import (
        contact_list_for_user,
        group_list_for_user,
        member_list_for_user,
        present_contact,
        present_member,
        sites_in_scope,
    )

    if kind_key == "groups":
        money = sees_financials(user)
        yield ["集团编码", "集团名称", "类别", "状态", "行业", "地址", "电话", "员工数",
               *(["年营业额(万元)"] if money else []), "营销单元", "客户经理"]
        for g in group_list_for_user(user, group_filters).iterator(chunk_size=2000):
            yield [g.code, g.name, g.grade, g.get_status_display(), str(g.industry or ""), g.address, g.phone,
                   g.employee_count, *([g.annual_revenue] if money else []), g.unit.code,
                   g.account_manager.username]
    elif kind_key == "sites":
        yield ["集团编码", "站点名称", "地址", "营销单元编码", "属地客户经理账号", "属地维护经理账号", "是否总部"]
        for s in sites_in_scope(user).iterator(chunk_size=2000):
            yield [s.group.code, s.name, s.address, s.unit.code, s.local_am.username, s.local_mm.username,
                   "是" if s.is_headquarters else "否"]
    elif kind_key == "contacts":
        yield ["集团编码", "集团名称", "姓名", "类型", "首要联系人", "部门", "职务", "手机号码", "生日",
               "我方对口人账号", "免打扰"]
        for c in contact_list_for_user(user).iterator(chunk_size=2000):
            present_contact(c)
            yield [c.group.code, c.group.name, c.name, c.get_type_display(), "是" if c.is_primary else "否",
                   c.department, c.post, c.mobile_display, c.birthday_display,
                   c.counterpart.username if c.counterpart else "", "是" if c.do_not_disturb else "否"]
    elif kind_key == "members":
        yield ["集团编码", "手机号码", "姓名", "产品编码", "VIP等级", "付费类型", "状态"]
        for m in member_list_for_user(user).iterator(chunk_size=2000):
            present_member(m)
            yield [m.group.code, m.mobile_display, m.name, m.product.code if m.product else "", m.vip_tier,
                   m.billing_type, m.status]
    else:
        raise KeyError(kind_key)


def export_workbook(kind_key: str, user: User, *, group_filters=None, fmt: str = "xlsx") -> tuple[bytes, int]:
    """The rows of one kind in the user's scope, masked for non-owners, as .xlsx (default) or .csv
    (UTF-8 with a BOM, which Excel opens as Chinese). Returns (bytes, data rows). Every cell goes
    through portal.spreadsheet.write_row: formula-like text is written as text (issue 12 item 7)."""
    n = -1  # the header is not a data row
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in _export_rows(kind_key, user, group_filters):
            write_row(writer, row)
            n += 1
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), n
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind_key)
    for row in _export_rows(kind_key, user, group_filters):
        write_row(ws, row)
        n += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), n
