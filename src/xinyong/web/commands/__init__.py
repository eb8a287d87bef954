"""CLI command groups, one module per bounded context; ``web.cli`` adds them all."""
