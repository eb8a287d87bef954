"""What of its internal file a subject is shown (pure). The internal view is the staff's;
the subject sees every record of its own, public or not, but not who on the staff handled
a step (a staff member's name is not the subject's information) nor the platform's
bookkeeping (batch, file and row of a submission)."""

from __future__ import annotations

from typing import Any

# Fields of a record that name a staff member.
STAFF_FIELDS = frozenset({"经办人"})
# Provenance the subject is shown: who submitted and when.
SHOWN_PROVENANCE = ("department", "received_at_text")


def for_subject(shown: dict[str, Any]) -> dict[str, Any]:
    """The credit file's JSON view (``CreditFile.as_dict``) as its own subject reads it."""
    groups = []
    for group in shown["groups"]:
        items = []
        for item in group["items"]:
            records = [
                {
                    **r,
                    "fields": [f for f in r["fields"] if f["code"] not in STAFF_FIELDS],
                    "provenance": {
                        k: r["provenance"][k] for k in SHOWN_PROVENANCE if k in r["provenance"]
                    },
                    "not_public": r["publication"]["status"] != "公示中",
                }
                for r in item["records"]
            ]
            items.append({**item, "records": records})
        groups.append({**group, "items": items})
    return {**shown, "groups": groups}
