"""Channel adapters and the shared runtime of Relais.

The runtime serialises each person's turns, runs the pure engine from conversations/,
and commits state, intake, referral, booking and outgoing messages in one transaction
through storage/. Adapters (web chat, terminal) only translate to and from events.
"""
