"""The Telegram channel: two interchangeable adapters (python-telegram-bot, aiogram) over
the shared runtime, plus what both need: update parsing, rendering, webhook, polling, the
outbox dispatcher and the command menu.

May import bot.runtime, storage.sealing, relais.hardening (rate limits), conversations (events,
catalogs) and storage; only `ptb_adapter` imports telegram and only `aiogram_adapter`
imports aiogram.
"""
