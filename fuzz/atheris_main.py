"""Coverage-guided fuzzing of one format with atheris (optional: pip install atheris).

    python -m fuzz.atheris_main FORMAT [libFuzzer options, e.g. -max_total_time=600]

The corpus starts from the builder-generated seeds of FORMAT; a crash (an exception
escaping the runner) stops libFuzzer and writes the input to crash-<sha1>.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main() -> None:
    import atheris

    fmt, rest = sys.argv[1], sys.argv[2:]
    with atheris.instrument_imports():
        from fuzz.harness import run_one
        from fuzz.seeds import build_seeds
    seeds = build_seeds()[fmt]
    name = seeds[0][0]
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{fmt}-"))
    for i, (_, data) in enumerate(seeds):
        (corpus / f"seed-{i}").write_bytes(data)

    def one(data: bytes) -> None:
        run_one(name, data)

    atheris.Setup([sys.argv[0], *rest, str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
