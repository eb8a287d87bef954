"""The ledger's signed heads (anchors), published: anyone may download and keep them, and
check the ledger against them later (``xinyong audit verify --anchors``)."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from xinyong.bootstrap import Platform
from xinyong.kernel.clock import beijing_time
from xinyong.ledger import anchorkey
from xinyong.ledger import service as ledger
from xinyong.ledger.anchors import (
    ALGORITHM,
    fingerprint,
    jsonl,
    public_pem,
    public_raw_base64,
)
from xinyong.web.deps import PUBLIC, PlatformDep
from xinyong.web.schemas import ledger as schemas
from xinyong.web.schemas.common import MAX_ID
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["账本锚点"])

JSONL = "application/jsonl"
MAX_PAGE = 500
MESSAGE_FORMAT = (
    "UTF-8 文本，7 行，每行以 LF 结尾：xinyong-ledger-anchor-v2、batch_id=<批次号>、"
    "head_hash=<64位小写十六进制>、entry_count=<记录数>、audit_row_id=<审计日志最后一条的编号，"
    "空日志为 0>、audit_hash=<该条哈希，64位小写十六进制>、anchored_at=<YYYY-MM-DDTHH:MM:SSZ>；"
    "无 audit_row_id 的早期锚点签署 5 行：xinyong-ledger-anchor-v1，不含两行审计日志头"
)

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"每页条数（1–{MAX_PAGE}）")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="跳过的条数")]


def published_key(platform: Platform) -> dict[str, str] | None:
    public = anchorkey.configured_public(platform.settings.anchor_key_file)
    if public is None:
        return None
    return {
        "algorithm": ALGORITHM,
        "public_key": public_pem(public),
        "public_key_base64": public_raw_base64(public),
        "key_fingerprint": fingerprint(public),
    }


def anchors_view(platform: Platform, limit: int, offset: int) -> dict[str, Any]:
    """What the page and the API show: one page of anchors, newest first, and the key."""
    with platform.engine.connect() as conn:
        total, page = ledger.anchors_page(conn, limit, offset)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "key": published_key(platform),
        "message_format": MESSAGE_FORMAT,
        "anchors": [{**a.as_json(), "anchored_at_text": beijing_time(a.anchored_at)} for a in page],
    }


@router.get(
    "/api/v1/ledger/anchors",
    summary="账本锚点（已签名的账本头）",
    dependencies=[PUBLIC],
    response_model=schemas.AnchorList,
    response_model_exclude_unset=True,
    responses=declared(422),
)
def list_anchors(platform: PlatformDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """每日签署的账本头（批次号、链哈希、记录数、签署时间、Ed25519 签名），最新的在前，附核验用的公钥及其指纹。公开信息，无需密钥。"""
    return anchors_view(platform, limit, offset)


@router.get(
    "/api/v1/ledger/anchors.jsonl",
    summary="下载全部账本锚点（JSON Lines）",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={
        200: {
            "description": "全部锚点，每行一个 JSON 对象，最早的在前",
            "content": {JSONL: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def download_anchors(platform: PlatformDep) -> Response:
    """全部锚点的文件，请在平台之外保存；日后以 xinyong audit verify --anchors 文件 核对账本。公开信息，无需密钥。"""
    with platform.engine.connect() as conn:
        body = jsonl(ledger.all_anchors(conn))
    return Response(
        body,
        media_type=JSONL,
        headers={"Content-Disposition": 'attachment; filename="xinyong-ledger-anchors.jsonl"'},
    )
