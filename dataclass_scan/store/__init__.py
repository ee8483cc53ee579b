"""Persistent state: cache, inventory and the audit trail."""
