"""Classify stage: labels, destination policy, declared labels, baseline."""
