"""Monthly statistics of checks and measures applied, and typical cases for publication."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from fastapi import APIRouter

router = APIRouter()
