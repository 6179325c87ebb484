"""Steps drawn by code rather than by a fixed list of choices: one drawer per kind.

A flow step names its kind with `handler:` (flows/*.yaml); the drawer renders it, lists
its buttons and reads the payloads of its own buttons (`<flow>.<step>.<value>`). Kinds:
the language list, the emergency numbers, the places and opening hours, the week's bus
stops (conversations/steps/info.py), and the booking steps (conversations/booking.py).
"""
