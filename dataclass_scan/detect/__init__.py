"""Detect stage: rule packs, engine, validators, dictionaries, prefilter."""
