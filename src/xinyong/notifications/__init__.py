"""Notifications: the outbox feed other systems read (``GET /api/v1/events``) and the in-app
messages the parties of a case receive.

Owns the table ``messages``. The messages are written by an outbox consumer
(``service.consumer``, wired in ``bootstrap``) from the kernel's case events, so every case
type is covered without code of its own. The feed reads the outbox (``events``) with who may
see what decided here (``rules.py``), joining the cases and the ledger by id.
"""
