"""Scheduled jobs: a registry of named, idempotent jobs with their triggers as data.

``xinyong lists worker`` runs them on an APScheduler ``BlockingScheduler``;
``xinyong lists worker --once NAME`` runs one now and exits (for cron, systemd timers, tests).
"""
