"""What a signed-in subject reads: its own complete file (the right of access, PIPL 第四十五条),
internal records included, each read in the audit log under the subject as actor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.creditfile.service import CreditFile, read_credit_file
from xinyong.selfservice.accounts import SubjectSession

# The stated purpose of every read of a subject's own file (the audit row's purpose).
OWN_FILE_PURPOSE = "本主体查阅本人信用信息"


def own_file(
    conn: Connection,
    catalogue: Catalogue,
    sanctions: SanctionsCatalogue,
    session: SubjectSession,
    *,
    as_of: dt.date,
    now: dt.datetime,
) -> CreditFile:
    """The session's own subject's internal file, audited. The subject is the session's,
    never a parameter: there is no way to ask for another one."""
    return read_credit_file(
        conn,
        catalogue,
        sanctions,
        session.uscc,
        as_of=as_of,
        view="internal",
        now=now,
        actor=session.actor,
        purpose=OWN_FILE_PURPOSE,
    )
