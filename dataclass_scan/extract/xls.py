"""Legacy Excel .xls (BIFF) with xlrd: every sheet, hidden ones included, located as
`Sheet!B7`; first row as column context. An encrypted workbook is tried with the
`--password-file` candidates (msoffcrypto-tool) and otherwise reported `encrypted`."""

from __future__ import annotations

import io
from collections.abc import Iterator

from dataclass_scan.errors import EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.delimited import column_letter
from dataclass_scan.model import Item, Location, Segment


def _open(data: bytes, ctx: ExtractContext):  # type: ignore[no-untyped-def]
    import xlrd

    try:
        return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypt" not in str(exc).lower():
            raise ExtractionError(f"unreadable .xls: {exc}") from None
    from dataclass_scan.extract.office_crypto import decrypt

    plain = decrypt(data, ctx.passwords)
    if plain is None:
        raise EncryptedError("password-protected .xls: no password opened it")
    try:
        return xlrd.open_workbook(file_contents=plain, on_demand=True,
                                  logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        raise ExtractionError(f"unreadable .xls after decryption: {exc}") from None


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    import xlrd

    with item.open() as fh:
        data = fh.read()
    book = _open(data, ctx)
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            header: dict[int, str] = {}
            for r in range(sheet.nrows):
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK,
                                      xlrd.XL_CELL_ERROR, xlrd.XL_CELL_BOOLEAN):
                        continue
                    value = cell.value
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)
                    text = str(value)
                    if not text.strip():
                        continue
                    if r == 0:
                        header[c] = text.strip()
                    yield Segment(text=text, location=Location(
                        sheet=sheet.name, cell=f"{column_letter(c)}{r + 1}"),
                        context=header.get(c, "") if r > 0 else "")
            book.unload_sheet(index)
    finally:
        book.release_resources()
