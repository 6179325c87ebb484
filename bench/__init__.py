"""`make bench`: Relais turns side by side with the raw database and a python-telegram-bot
baseline (issue 8). Entry point: `python -m bench.run`; results in bench/results.json."""
