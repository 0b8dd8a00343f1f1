"""The filtered security events as an .xlsx workbook (write-only: rows streamed, memory flat however many)."""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from audit.labels import detail_text, object_type_label
from audit.models import SecurityEvent
from core import clock
from core.xlsx import Col, StreamTable, row_cells, text_value
from core.xlsx_rows import rows_sheet, rows_workbook

CHUNK_SIZE = 2000
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
COLUMNS = ("at", "username", "action", "ip", "object_type", "object_id", "object_repr", "rows", "path", "detail")


def events_workbook(events: QuerySet[SecurityEvent], *, description: str = "") -> tuple[bytes, int]:
    """The workbook's bytes and the number of events written; `description` (the filters) goes under the title."""
    out = BytesIO()
    with rows_workbook(out) as wb:
        ws = rows_sheet(wb, _("Security events")[:31])
        title = _("Security events")
        table = StreamTable(
            ws,
            [
                Col(_("Time"), 18, "date"),
                Col(_("Account"), 12),
                Col(_("Action"), 14),
                Col(_("Address"), 15),
                Col(_("Object type"), 16),
                Col(_("Object number"), 9),
                Col(_("Object"), 24),
                Col(_("Rows"), 7, "int"),
                Col(_("Page"), 30),
                Col(_("Detail"), 40),
            ],
            title=title,
            info=description,
        )
        actions = dict(SecurityEvent.Action.choices)
        n = 0
        for at, username, action, ip, otype, oid, orepr, rows, path, detail in events.values_list(*COLUMNS).iterator(
            chunk_size=CHUNK_SIZE
        ):
            when = WriteOnlyCell(ws, value=clock.local(at).replace(tzinfo=None))
            when.number_format = TIME_FORMAT
            who = username or "系统"  # no account: a command or an import
            texts = [who, actions.get(action, action), ip, object_type_label(otype) if otype else "", oid, orepr]
            detail_cell = text_value(ws, detail_text(detail))
            values = [when, *(text_value(ws, t) for t in texts), rows, text_value(ws, path), detail_cell]
            table.add(row_cells(ws, values))  # the time is a cell (its format): the whole row is cells
            n += 1
        table.line(f"合计：共 {n} 条")
        table.signatures()
        table.finish()
        wb.save(out)
    return out.getvalue(), n
