"""Credentials and their competencies: import, export, and alignment to skill concepts."""
