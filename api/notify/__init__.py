"""Outbound notifications to conseillers: e-mail over SMTP and signed webhooks.

`deliver_due` sends what the notifications outbox holds, with retries and backoff;
`escalate_unclaimed` announces urgent referrals nobody claimed in time to the
structure's fallback contact. Both are plain coroutines driven by the scheduler clock.
"""
