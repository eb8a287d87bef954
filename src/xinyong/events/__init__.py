"""Domain events in a transactional outbox: what changed, written in the same transaction as the
change, and the consumers that react to it exactly once each (see service.py).

Owns the tables ``outbox_events`` and ``outbox_consumers``. Any context may emit; a consumer is
a context's handler wired in ``bootstrap``. This package imports no other context.
"""
