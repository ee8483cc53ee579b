"""Sub-commands beyond `scan`. Each module defines its commands on `dataclass_scan.cli.app`
(or adds a sub-app with `app.add_typer`) and is imported by one line at the end of cli.py.
Keep them thin: parse options, call the library, render, return an exit code."""
