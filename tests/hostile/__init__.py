"""Hostile-input tests."""
