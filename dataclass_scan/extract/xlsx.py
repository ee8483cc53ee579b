"""XLSX: every sheet in read-only mode, one segment per non-empty cell, located as
`Sheet!B7`; the first row of a sheet travels as column context."""

from __future__ import annotations

from collections.abc import Iterator

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.docx import open_office
from dataclass_scan.model import Item, Location, Segment


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    import openpyxl

    wb = open_office(item, lambda fh: openpyxl.load_workbook(fh, read_only=True, data_only=True))
    try:
        for ws in wb.worksheets:
            header: dict[int, str] = {}
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None or isinstance(value, bool):
                        continue
                    text = str(value)
                    if not text.strip():
                        continue
                    if cell.row == 1:
                        header[cell.column] = text.strip()
                    yield Segment(
                        text=text,
                        location=Location(sheet=ws.title, cell=cell.coordinate),
                        context=header.get(cell.column, "") if cell.row > 1 else "",
                    )
    finally:
        wb.close()
