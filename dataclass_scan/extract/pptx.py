"""PPTX with python-pptx: text of every shape (groups included) per slide, tables by
cell, speaker notes; core/custom properties from the package. Locations read
`deck.pptx:slide 3:paragraph 2`, `:slide 3:table 1:cell B2`, `:slide 3:notes:paragraph 1`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any

from dataclass_scan.extract import ExtractContext
from dataclass_scan.extract.delimited import column_letter
from dataclass_scan.extract.docx import open_office
from dataclass_scan.model import Item, Location, Segment


def _shapes(shapes: Any) -> Iterator[Any]:
    for shape in shapes:
        if getattr(shape, "shape_type", None) == 6 or hasattr(shape, "shapes"):  # group
            inner = getattr(shape, "shapes", None)
            if inner is not None:
                yield from _shapes(inner)
                continue
        yield shape


def _slide_segments(slide: Any, number: int) -> Iterator[Segment]:
    paragraph = 0
    tables = 0
    for shape in _shapes(slide.shapes):
        if getattr(shape, "has_table", False):
            tables += 1
            header: list[str] = []
            for r, row in enumerate(shape.table.rows, start=1):
                cells = [cell.text for cell in row.cells]
                if r == 1:
                    header = [c.strip() for c in cells]
                for c, text in enumerate(cells):
                    if text.strip():
                        yield Segment(text=text, location=Location(
                            slide=number, part=f"table {tables}", cell=f"{column_letter(c)}{r}"),
                            context=header[c] if r > 1 and c < len(header) else "")
            continue
        if getattr(shape, "has_text_frame", False):
            for para in shape.text_frame.paragraphs:
                text = para.text
                if text.strip():
                    paragraph += 1
                    yield Segment(text=text, location=Location(slide=number, paragraph=paragraph),
                                  context=getattr(shape, "name", ""))


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    import pptx

    prs = open_office(item, pptx.Presentation)
    for number, slide in enumerate(prs.slides, start=1):
        yield from _slide_segments(slide, number)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            paragraphs = list(frame.paragraphs) if frame is not None else [
                para for shape in slide.notes_slide.shapes
                if getattr(shape, "has_text_frame", False)
                and getattr(getattr(shape, "placeholder_format", None), "type", None) != 1
                for para in shape.text_frame.paragraphs]
            count = 0
            for para in paragraphs:
                if para.text.strip():
                    count += 1
                    yield Segment(text=para.text, location=Location(
                        slide=number, part="notes", paragraph=count))
    from dataclass_scan.extract import ooxml

    with item.open() as fh, zipfile.ZipFile(fh) as zf:
        yield from ooxml.package_metadata(zf, ctx)
        yield from ooxml.drawing_text(zf, ("ppt/comments/",), "comments", tag="text")
        yield from ooxml.drawing_text(zf, ("ppt/comments/modernComment",), "comments")
        yield from ooxml.drawing_text(zf, ("ppt/diagrams/data",), "diagram")
        yield from ooxml.drawing_text(zf, ("ppt/slideMasters/slideMaster",), "master")
        yield from ooxml.embedded_items(zf, item.path, ("ppt/embeddings/",), ctx.max_bytes)
