"""Lists: determination cases on the workflow kernel (service.py, casework.py), memberships and
the per-subject status row as projections of the ledger (projection.py), the one "active
membership" rule (rules.py) and all SQL (repository.py).

Owns ``list_memberships`` and ``subject_status``. Publication and exit emit ``list.published``
and ``list.exited`` (events); other contexts react to those, never by being called from here.
"""
