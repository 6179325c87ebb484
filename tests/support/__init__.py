"""Test helpers shared by several test packages (on pytest's pythonpath)."""
