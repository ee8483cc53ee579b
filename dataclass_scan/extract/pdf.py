"""PDF: text per page with pdfplumber; a page's lines are located as `page N:line M`."""

from __future__ import annotations

import io
from collections.abc import Iterator

from dataclass_scan.errors import EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Location, Segment


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with item.open() as raw:
            fh = io.BytesIO(raw.read())
    except OSError as exc:
        raise ExtractionError(exc.strerror or str(exc)) from None
    with fh:
        try:
            pdf = pdfplumber.open(fh)
        except PdfminerException as exc:
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
                raise EncryptedError("encrypted PDF: no password opened it") from None
            if isinstance(cause, PDFSyntaxError):
                raise ExtractionError(f"corrupt PDF: {cause}") from None
            raise ExtractionError(f"unreadable PDF: {type(cause).__name__}") from None
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise EncryptedError("encrypted PDF: no password opened it") from None
        except PDFSyntaxError as exc:
            raise ExtractionError(f"corrupt PDF: {exc}") from None
        with pdf:
            pages_without_text = 0
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    text = page.extract_text() or ""
                except Exception as exc:  # noqa: BLE001 - one bad page must not lose the rest
                    ctx.warn(f"page {number}: {type(exc).__name__}")
                    continue
                finally:
                    page.close()
                if not text.strip():
                    pages_without_text += 1
                    continue
                yield Segment(text=text, location=Location(page=number, line=1), track_lines=True)
            if pages_without_text and pages_without_text == len(pdf.pages):
                ctx.warn(f"no text layer on {pages_without_text} page(s) (scanned images?)")
