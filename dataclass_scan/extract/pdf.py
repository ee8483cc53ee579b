"""PDF: text per page with pdfplumber; a page's lines are located as `page N:line M`.

Encrypted files are tried with the empty password, then each `--password-file`
candidate, and otherwise reported `encrypted`. Pages that carry images but no text are
reported as "no text layer" (the file becomes `partial`). The document information
dictionary goes to `ctx.metadata["pdf_info"]`, and its text fields are scanned
(`:property Title`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from dataclass_scan.errors import EncryptedError, ExtractionError
from dataclass_scan.extract import ExtractContext
from dataclass_scan.model import Item, Location, Segment

_INFO_TEXT = ("Title", "Author", "Subject", "Keywords", "Creator")


def _open(data: bytes, passwords: tuple[str, ...]) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    locked = False
    for password in ("", *passwords):
        try:
            return pdfplumber.open(io.BytesIO(data), password=password)
        except PdfminerException as exc:
            cause = exc.args[0] if exc.args else exc
            if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
                locked = True
                continue
            if isinstance(cause, PDFSyntaxError):
                raise ExtractionError(f"corrupt PDF: {cause}") from None
            raise ExtractionError(f"unreadable PDF: {type(cause).__name__}") from None
        except (PDFPasswordIncorrect, PDFEncryptionError):
            locked = True
            continue
        except PDFSyntaxError as exc:
            raise ExtractionError(f"corrupt PDF: {exc}") from None
    assert locked
    raise EncryptedError("encrypted PDF: no password opened it")


def _info(pdf: Any, ctx: ExtractContext) -> Iterator[Segment]:
    info: dict[str, str] = {}
    try:
        raw = pdf.metadata or {}
    except Exception:  # noqa: BLE001 - a broken info dictionary is not worth failing over
        raw = {}
    for key, value in raw.items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, (str, int, float)):
            info[str(key)] = str(value)
    ctx.metadata["pdf_info"] = info
    for key in _INFO_TEXT:
        if info.get(key, "").strip():
            yield Segment(text=info[key], location=Location(part=f"property {key}"), context=key)


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment]:
    try:
        with item.open() as raw:
            data = raw.read()
    except OSError as exc:
        raise ExtractionError(exc.strerror or str(exc)) from None
    pdf = _open(data, ctx.passwords)
    with pdf:
        yield from _info(pdf, ctx)
        no_text: list[int] = []
        with_text = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                text = page.extract_text() or ""
                has_images = bool(page.images) if not text.strip() else False
            except Exception as exc:  # noqa: BLE001 - one bad page must not lose the rest
                ctx.warn(f"page {number}: {type(exc).__name__}")
                continue
            finally:
                page.close()
            if not text.strip():
                if has_images:
                    no_text.append(number)
                continue
            with_text += 1
            yield Segment(text=text, location=Location(page=number, line=1), track_lines=True)
        if no_text:
            shown = ", ".join(str(n) for n in no_text[:10]) + (" ..." if len(no_text) > 10
                                                               else "")
            ctx.warn(f"no text layer on page(s) {shown} (scanned images; OCR is not enabled)")
        elif pdf.pages and not with_text:
            ctx.warn(f"no text on any of {len(pdf.pages)} page(s) (scanned or blank?)")
