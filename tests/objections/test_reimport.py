"""A department sending the original row again after an objection corrected or revoked the
record: the row is refused in the rejection file with the reason (the outcome stands), valid
rows of the same file are kept, and a row with new content is the department's correction."""

from __future__ import annotations

from tests.helpers import add_department, csv_bytes, penalty
from tests.objections.helpers import check, file, penalty_entry, public_file, records, step
from xinyong.bootstrap import Platform
from xinyong.ingest.service import ImportResult


def _send(platform: Platform, *rows: dict[str, str]) -> ImportResult:
    return platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="again.csv", department_code="scjg", item_code="XZCF"
    )


def _decide(platform: Platform, entry: int, outcome: str) -> int:
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    kw = {"corrections": {"CF_NR": "罚款人民币1000元"}} if outcome == "correct" else {}
    step(platform, o["id"], "decide", outcome=outcome, reason="经核查，录入错误", **kw)
    return int(o["id"])


def _fine_text(platform: Platform) -> str:
    (rec,) = [r for r in records(public_file(platform)) if "陕市监罚〔2026〕1号" in str(r)]
    return next(f["text"] for f in rec["fields"] if f["code"] == "CF_NR")


def test_the_original_row_does_not_undo_a_correction(platform: Platform) -> None:
    entry = penalty_entry(platform)
    objection = _decide(platform, entry, "correct")
    assert _fine_text(platform) == "罚款人民币1000元"
    other = penalty(CF_WSH="陕市监罚〔2026〕9号")
    result = _send(platform, penalty(), other)
    assert (result.accepted, result.rejected, result.corrections) == (1, 1, 0)
    [problem] = result.rejections
    reason = str(problem)
    assert f"该记录已经异议处理更正（异议 {objection}" in reason
    assert "陕市监罚〔2026〕1号" in reason  # the record's number names the row
    assert result.rejection_file is not None
    assert "该记录已经异议处理更正" in result.rejection_file.decode("utf-8-sig")
    # The correction stands everywhere; the other row is recorded.
    assert _fine_text(platform) == "罚款人民币1000元"
    assert "陕市监罚〔2026〕9号" in str(records(public_file(platform)))
    # New content is the department's own later correction and stands.
    again = _send(platform, penalty(CF_NR="罚款人民币1500元"))
    assert (again.accepted, again.rejected, again.corrections) == (1, 0, 1)
    assert _fine_text(platform) == "罚款人民币1500元"
    # Even then, the content the objection found wrong is refused.
    assert _send(platform, penalty()).rejected == 1


def test_the_original_row_does_not_revive_a_revoked_record(platform: Platform) -> None:
    entry = penalty_entry(platform)
    objection = _decide(platform, entry, "revoke")
    assert records(public_file(platform)) == []
    result = _send(platform, penalty())
    assert (result.accepted, result.rejected) == (0, 1)
    assert f"该记录已经异议处理撤销（异议 {objection}" in str(result.rejections)
    assert records(public_file(platform)) == []
    assert check(platform).get("objections") is None


def test_another_departments_record_of_the_same_number_is_its_own(platform: Platform) -> None:
    entry = penalty_entry(platform)
    _decide(platform, entry, "correct")
    add_department(platform, "scjg_xa")
    result = platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="x.csv", department_code="scjg_xa", item_code="XZCF"
    )
    assert (result.accepted, result.rejected) == (1, 0)


def test_the_version_found_wrong_is_the_one_the_outcome_replaced(platform: Platform) -> None:
    entry = penalty_entry(platform)
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    # The department corrects the record while the objection is verified; the outcome then
    # replaces that version, which is what may not come back.
    assert _send(platform, penalty(CF_NR="罚款人民币3000元")).corrections == 1
    step(
        platform,
        o["id"],
        "decide",
        outcome="correct",
        reason="经核查，罚款金额录入错误",
        corrections={"CF_NR": "罚款人民币1000元"},
    )
    refused = _send(platform, penalty(CF_NR="罚款人民币3000元"))
    assert (refused.accepted, refused.rejected) == (0, 1)
    assert "该记录已经异议处理更正" in str(refused.rejections)
    assert _fine_text(platform) == "罚款人民币1000元"
