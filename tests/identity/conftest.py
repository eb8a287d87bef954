from __future__ import annotations

from pathlib import Path

import pytest

# The shared data sits beside the repository checkout, not inside it (its licence forbids
# shipping part of it), so CI and developers place it at ../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not present: {SHARED_DATA.resolve()} does not exist")
    return SHARED_DATA
