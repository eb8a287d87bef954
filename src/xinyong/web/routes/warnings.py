"""Re-establishment warnings (易地开张) for the credit office."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from fastapi import APIRouter

router = APIRouter()
