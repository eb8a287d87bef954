"""Files attached to a case's steps: a small content-addressed store.

The bytes go to ``data_dir/attachments/<sha256>`` (written to a temporary name, then renamed,
so a reader never sees half a file; the same content attached twice is one file); the row in
``case_attachments`` names the case, the step (its ``seq``), the name the file was uploaded
under, the media type and size, who uploaded it and when. The media type is read from the
content, never taken from the browser: a file whose first bytes are not a PDF, JPEG, PNG or
OFD (a ZIP package with ``OFD.xml`` at its root, GB/T 33190) is refused, whatever its name.

Every upload of a step is checked before the step is taken, so a refused file changes nothing.
A file written for a step whose transaction then fails stays on disk unreferenced: harmless
(content-addressed) and reused by the next upload of the same content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from xinyong.cases import repository as repo
from xinyong.kernel.errors import InputError, InputLimitExceeded, NotFound

ATTACHMENT_DIR = "attachments"
FILE_NAME_MAX = 200
MEDIA_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/ofd": "OFD",
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# An OFD package's entry point; a ZIP without it is not an OFD file.
_OFD_ENTRY = "OFD.xml"
_ZIP_MEMBERS_MAX = 10_000


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    """Settings ``XINYONG_ATTACHMENT_*``: the largest file, files per step, media types."""

    max_bytes: int
    max_files: int
    media_types: frozenset[str]

    def types_label(self) -> str:
        return "、".join(MEDIA_LABELS.get(t, t) for t in sorted(self.media_types))


@dataclass(frozen=True, slots=True)
class Upload:
    file_name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Checked:
    file_name: str
    content: bytes
    media_type: str
    sha256: str


def sniff(content: bytes) -> str | None:
    """The media type the content's own bytes show, or None for anything else."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                infos = z.infolist()
                if len(infos) <= _ZIP_MEMBERS_MAX and any(i.filename == _OFD_ENTRY for i in infos):
                    return "application/ofd"
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
    return None


def clean_file_name(name: str) -> str:
    """The last path component, without control characters, at most ``FILE_NAME_MAX``."""
    base = re.split(r"[\\/]", name)[-1]
    shown = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    shown = shown.lstrip(".") or "附件"
    if len(shown) > FILE_NAME_MAX:
        _stem, dot, ext = shown.rpartition(".")
        keep = FILE_NAME_MAX - len(ext) - 1 if dot and len(ext) <= 10 else FILE_NAME_MAX
        shown = shown[:keep] + (f".{ext}" if dot and len(ext) <= 10 else "")
    return shown


def check_uploads(uploads: Sequence[Upload], policy: AttachmentPolicy) -> list[Checked]:
    """Every upload, checked against the policy; the first refusal names the file by its
    place in the form (a file name may carry a person's name, so it is not echoed)."""
    files = [u for u in uploads if u.content or u.file_name]
    if len(files) > policy.max_files:
        raise InputLimitExceeded(
            f"{len(files)} attachments, at most {policy.max_files}",
            f"attachments（附件）：一步最多上传 {policy.max_files} 个文件，收到 {len(files)} 个",
        )
    out = []
    for n, u in enumerate(files, start=1):
        if not u.content:
            raise InputError(
                f"attachment {n} is empty", f"attachments（附件）第 {n} 个文件为空，请重新选择"
            )
        if len(u.content) > policy.max_bytes:
            mib = policy.max_bytes / (1024 * 1024)
            raise InputLimitExceeded(
                f"attachment {n} is over {policy.max_bytes} bytes",
                f"attachments（附件）第 {n} 个文件超过大小上限 {mib:,.1f} MiB",
            )
        media_type = sniff(u.content)
        if media_type is None or media_type not in policy.media_types:
            raise InputError(
                f"attachment {n} is not an accepted type",
                f"attachments（附件）第 {n} 个文件的类型不被接受（按文件内容判断），"
                f"只接受 {policy.types_label()} 文件",
            )
        out.append(
            Checked(
                file_name=clean_file_name(u.file_name),
                content=u.content,
                media_type=media_type,
                sha256=hashlib.sha256(u.content).hexdigest(),
            )
        )
    return out


def _path(data_dir: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):  # a stored row is the only source; never a path from input
        raise NotFound(f"bad attachment digest {sha256!r}", "附件不存在")
    return data_dir / ATTACHMENT_DIR / sha256


def _write(data_dir: Path, item: Checked) -> None:
    target = _path(data_dir, item.sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{item.sha256}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(item.content)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def attach(
    conn: Connection,
    data_dir: Path,
    case_id: int,
    event_seq: int,
    files: Sequence[Checked],
    *,
    actor: str,
    now: dt.datetime,
) -> list[int]:
    """Store checked files and record them against step ``event_seq`` of the case."""
    ids = []
    for item in files:
        _write(data_dir, item)
        ids.append(
            repo.insert_attachment(
                conn,
                {
                    "case_id": case_id,
                    "event_seq": event_seq,
                    "sha256": item.sha256,
                    "file_name": item.file_name,
                    "media_type": item.media_type,
                    "size": len(item.content),
                    "uploaded_by": actor,
                    "uploaded_at": now,
                },
            )
        )
    return ids


def of_case(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """The case's attachments, by step then upload order."""
    return repo.attachments_of_case(conn, case_id)


def locate(
    conn: Connection, data_dir: Path, case_id: int, attachment_id: int
) -> tuple[dict[str, Any], Path]:
    """An attachment of this case and the file holding it; NotFound otherwise (an attachment
    of another case is not found here, so a case's readers reach its files only)."""
    row = repo.get_attachment(conn, attachment_id)
    if row is None or int(row["case_id"]) != case_id:
        raise NotFound(
            f"case {case_id} has no attachment {attachment_id}",
            f"办件 {case_id} 没有编号为 {attachment_id} 的附件",
        )
    path = _path(data_dir, str(row["sha256"]))
    if not path.is_file():
        raise NotFound(
            f"attachment {attachment_id} file missing", f"附件 {attachment_id} 的文件已不在存储中"
        )
    return row, path
