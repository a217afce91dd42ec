"""Billing, retention and credit control (issue 14 item 3)."""
