"""The library entry point: `scan(paths, config) -> ScanResult`. The CLI uses it too."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dataclass_scan.classify.labels import LabelPolicy, load_label_policy
from dataclass_scan.config import Config
from dataclass_scan.detect.rulepack import RulePack, load_packs, packs_version
from dataclass_scan.errors import ConfigError
from dataclass_scan.model import FileResult, Item, ScanMeta, ScanResult
from dataclass_scan.runner import Runner, ScanContext, make_runner
from dataclass_scan.sources import iter_items

if TYPE_CHECKING:
    from dataclass_scan.detect.engine import Engine

ProgressCallback = Callable[[FileResult], None]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def load_rules(config: Config) -> list[RulePack]:
    packs = load_packs(list(config.rules), include_builtin=config.builtin_rules, examples=False)
    if not packs:
        raise ConfigError("no rule packs loaded (built-in rules disabled and no --rules given)")
    return packs


def build_engine(config: Config, packs: list[RulePack] | None = None) -> Engine:
    """The detection engine for a config: its rule packs and its allowlist."""
    return _engine_builder(config, packs)[1]()


def _engine_builder(
    config: Config, packs: list[RulePack] | None = None
) -> tuple[tuple[RulePack, ...], Callable[[], Engine]]:
    """The engine's packs, and a function that builds the engine. Whatever can be wrong
    with the config (allowlist, EDM files) is read and checked now; compiling the engine
    is left to the function, for scans that turn out to need it."""
    from dataclass_scan.detect.allowlist import from_config

    allow = from_config(config.extra.get("allowlist"), config.config_file or "config")
    packs = list(packs if packs is not None else load_rules(config))
    edm = None
    edm_files = (config.extra.get("edm") or {}).get("files") or []
    if edm_files:
        from dataclass_scan.detect.edm import EdmIndex

        base = Path(config.config_file).parent if config.config_file else Path()
        edm = EdmIndex.load([base / str(f) for f in edm_files])
        # EDM files shape results: they take part in the rules version (and cache key).
        packs += [RulePack(name=f"edm:{f.name}", path=f.name, digest=f.digest, rules=())
                  for f in edm.files]

    def build() -> Engine:
        from dataclass_scan.detect.engine import Engine

        # Plaintext values stay out of findings (memory, worker pipes) unless shown.
        return Engine(packs, allowlist=allow, edm=edm, prefilter_engine=config.prefilter,
                      keep_values=config.show_values)

    return tuple(packs), build


def build_context(config: Config) -> ScanContext:
    """Rules, labels policy and destination, checked now; the engine is built on first
    use (`ScanContext.engine`), so a rescan answered from the cache never compiles it."""
    packs = load_rules(config)
    policy: LabelPolicy = load_label_policy(config.labels_file)
    name = config.destination or policy.default_destination
    if name not in policy.destinations:
        raise ConfigError(
            f"unknown destination {name!r}; known: {', '.join(sorted(policy.destinations))}"
        )
    all_packs, build = _engine_builder(config, packs)
    return ScanContext(
        config=config, policy=policy, destination=policy.destinations[name],
        packs=all_packs, build_engine=build,
    )


def scan(
    paths: Sequence[str | Path],
    config: Config | None = None,
    *,
    progress: ProgressCallback | None = None,
    on_item: Callable[[Item], None] | None = None,
    runner: Runner | None = None,
) -> ScanResult:
    """Scan files and folders; return every file's result in walk order."""
    config = config or Config()
    roots = [str(p) for p in paths]
    if not roots:
        raise ConfigError("no paths to scan")
    ctx = build_context(config)
    started = _now()
    if runner is None:
        runner = make_runner(config)
        from dataclass_scan.store.cache import CachingRunner, ScanCache, cache_path, fingerprint

        where = cache_path(config)
        if where is not None:
            runner = CachingRunner(runner, ScanCache(where, fingerprint(ctx)))

    def items() -> object:
        for item in iter_items(roots, config):
            if on_item is not None:
                on_item(item)
            yield item

    results: list[FileResult] = []
    for result in runner.run(items(), ctx):  # type: ignore[arg-type]
        results.append(result)
        if progress is not None:
            progress(result)
    meta = ScanMeta(
        roots=tuple(roots),
        started=started,
        finished=_now(),
        destination=ctx.destination.name,
        packs=tuple(p.name for p in ctx.packs),
        rules_version=packs_version(ctx.packs),
        pack_digests=tuple((p.name, p.digest) for p in ctx.packs),
        config_digest=config.digest(),
    )
    return ScanResult(files=tuple(results), meta=meta)
