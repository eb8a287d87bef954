"""List determination cases (名单认定办件): propose, take steps, inbox of due and overdue cases."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from fastapi import APIRouter

router = APIRouter()
