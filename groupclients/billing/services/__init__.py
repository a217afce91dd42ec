"""Writes for billing, retention and credit control (SPEC RET-1..7, CC-1..10)."""
