"""Response models of the HTTP API, one module per bounded context (see docs/architecture.md)."""
