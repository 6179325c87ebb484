"""The composition root: builds the app of `relais serve` from the parts.

Settings, the CLI, the FastAPI app factory (channels + admin API), the clock (scheduler)
and the wiring of database, engine and runtime. Nothing imports this package; it passes
what each part needs down to it.
"""
