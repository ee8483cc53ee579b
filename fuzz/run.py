"""A longer fuzz campaign than CI's: random byte mutations of every seed for a time
budget, through the real pipeline. Prints executions, crashes (exceptions escaping the
runner), hangs and untyped failures (bare Python exceptions from an extractor) by
format; saves each crashing or hanging input under OUT for a regression fixture.

    python -m fuzz.run --seconds 600 --out fuzz-findings/

For coverage-guided fuzzing of one format with atheris (pip install atheris):

    python -m fuzz.atheris_main pdf -max_total_time=600
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import time
import traceback
from pathlib import Path

from fuzz.harness import OPS, Hang, mutate, run_one
from fuzz.seeds import build_seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    ap.add_argument("--formats", nargs="*")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    seeds = build_seeds()
    formats = args.formats or sorted(seeds)
    runs: collections.Counter[str] = collections.Counter()
    crashes: collections.Counter[str] = collections.Counter()
    untyped: collections.Counter[tuple[str, str]] = collections.Counter()
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        fmt = rng.choice(formats)
        name, data = rng.choice(seeds[fmt])
        ops = [(rng.choice(OPS), rng.randrange(1 << 20), rng.randbytes(rng.randrange(13)))
               for _ in range(rng.randint(1, 4))]
        sample = mutate(data, ops)
        runs[fmt] += 1
        try:
            outcome = run_one(name, sample, time_limit=30)
        except (Exception, Hang) as exc:  # noqa: BLE001 - that is what we are counting
            kind = "hang" if isinstance(exc, Hang) else type(exc).__name__
            crashes[f"{fmt}:{kind}"] += 1
            args.out.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256(sample).hexdigest()[:16]
            (args.out / f"{fmt}-{kind}-{digest}-{name}").write_bytes(sample)
            (args.out / f"{fmt}-{kind}-{digest}.txt").write_text(traceback.format_exc())
            continue
        for t in outcome.untyped:
            untyped[(fmt, t)] += 1
    print(f"executions: {sum(runs.values())} in {args.seconds:.0f}s over {len(formats)} formats")
    print("per format: " + ", ".join(f"{k} {v}" for k, v in sorted(runs.items())))
    print(f"crashes and hangs: {sum(crashes.values())} " + str(dict(crashes)))
    print(f"untyped failures: {sum(untyped.values())} "
          + str({f"{f}:{t}": n for (f, t), n in sorted(untyped.items())}))


if __name__ == "__main__":
    main()
