"""Calendar links of the web chat: signed, short-lived, naming no session."""

from __future__ import annotations

from bot.webchat.calendar_links import LIFETIME_SECONDS, CalendarLinks


def test_a_link_opens_its_appointment_until_it_expires() -> None:
    now = [1_000_000.0]
    links = CalendarLinks(b"key", clock=lambda: now[0])
    token = links.token(42)
    assert links.appointment_id(token) == 42
    now[0] += LIFETIME_SECONDS + 1
    assert links.appointment_id(token) is None


def test_a_link_cannot_be_pointed_at_another_appointment_or_forged() -> None:
    links = CalendarLinks(b"key")
    token = links.token(42)
    _, expires, mac = token.split("-", 2)
    assert links.appointment_id(f"43-{expires}-{mac}") is None
    assert links.appointment_id(f"42-{int(expires) + 10**6}-{mac}") is None
    assert CalendarLinks(b"other key").appointment_id(token) is None
    assert links.appointment_id("42") is None and links.appointment_id("a-b-c") is None
