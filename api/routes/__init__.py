"""Routers of the admin API, one resource per module."""
