"""Reading a credit file in tests."""

from __future__ import annotations

import datetime as dt

from xinyong.bootstrap import Platform
from xinyong.creditfile.service import CreditFile, View, build_credit_file


def credit_file(platform: Platform, code: str, *, on: dt.date, view: View = "public") -> CreditFile:
    with platform.engine.connect() as conn:
        return build_credit_file(
            conn, platform.catalogue, code, as_of=on, view=view, sanctions=platform.sanctions
        )
