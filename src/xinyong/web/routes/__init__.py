"""HTTP routers, one module per bounded context; ``web.app`` includes them all."""
