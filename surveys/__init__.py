"""Employer surveys: definitions, invitations, the public form, results. Imports nlp, never service."""
