"""`dataclass-scan extract PATH...`: print the text the scanner extracts, with the
location of each piece, so a finding (or a miss) can be understood. `--format json`
prints one JSON document. Exit code 0, or 3 when some file could not be read."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from dataclass_scan.cli import EXIT_INCOMPLETE, EXIT_OK, PasswordFileOpt, _fail, app
from dataclass_scan.errors import DataclassScanError


class ExtractFormat(str, Enum):
    text = "text"
    json = "json"


ExtractPathsArg = Annotated[list[str], typer.Argument(
    help="Files and folders (or s3://, gs://, az:// URLs) to extract.", show_default=False)]
ExtractFormatOpt = Annotated[ExtractFormat, typer.Option(
    "--format", "-f", help="text (location, then the text) or json.", case_sensitive=False)]
MetadataOpt = Annotated[bool, typer.Option(
    "--metadata", help="Also print document metadata (properties, mail headers, PDF info).")]


@app.command("extract")
def extract(
    paths: ExtractPathsArg,
    fmt: ExtractFormatOpt = ExtractFormat.text,
    password_file: PasswordFileOpt = None,
    metadata: MetadataOpt = False,
    config_file: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
) -> None:
    """Print the text extracted from each file with its locations (no detection). The
    output holds the files' raw content: it is for your eyes, not for sharing."""
    from dataclass_scan.config import load_config
    from dataclass_scan.extract.explain import extract_paths
    from dataclass_scan.model import INCOMPLETE_STATUSES
    from dataclass_scan.sources.passwords import read_password_file

    try:
        config = load_config(config_file)
        if password_file is not None:
            config = config.merged(passwords=read_password_file(password_file))
        incomplete = False
        files: list[dict[str, Any]] = []
        out = sys.stdout
        for x in extract_paths(paths, config):
            incomplete = incomplete or x.status in INCOMPLETE_STATUSES
            if fmt is ExtractFormat.json:
                entry: dict[str, Any] = {
                    "path": x.path, "format": x.format, "status": x.status.value,
                    "errors": list(x.errors),
                    "segments": [{"location": s.location.to_dict(), "text": s.text,
                                  **({"context": s.context} if s.context else {})}
                                 for s in x.segments]}
                if metadata:
                    entry["metadata"] = x.metadata
                files.append(entry)
                continue
            out.write(f"== {x.path} [{x.format or '-'}, {x.status.value}]\n")
            for error in x.errors:
                out.write(f"   ! {error}\n")
            if metadata and x.metadata:
                for key, value in x.metadata.items():
                    out.write(f"   @ {key}: {json.dumps(value, default=str)[:500]}\n")
            for s in x.segments:
                where = x.path + s.location.render()
                ctx = f"  [{s.context}]" if s.context else ""
                text = s.text if "\n" not in s.text.strip() else "\n    " + "\n    ".join(
                    s.text.rstrip("\n").split("\n"))
                out.write(f"{where}{ctx}: {text}\n")
        if fmt is ExtractFormat.json:
            json.dump({"schema": "dataclass-scan/extract/v1", "files": files}, out,
                      ensure_ascii=False, indent=1, default=str)
            out.write("\n")
    except DataclassScanError as exc:
        raise _fail(str(exc)) from None
    raise typer.Exit(EXIT_INCOMPLETE if incomplete else EXIT_OK)
