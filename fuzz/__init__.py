"""Fuzz harness for the extractors and the rule engine."""
