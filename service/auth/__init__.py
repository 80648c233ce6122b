"""Organisations, users, API tokens, sessions and role guards."""
