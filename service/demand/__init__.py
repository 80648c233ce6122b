"""Demand aggregation, drift statistics, alerts and webhooks."""
