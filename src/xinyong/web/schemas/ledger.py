"""Response models of the ledger's published anchors (signed heads)."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import Schema


class Anchor(Schema):
    id: int = Field(description="锚点编号")
    anchored_at: str = Field(description="签署时间（UTC，YYYY-MM-DDTHH:MM:SSZ），签名内容之一")
    anchored_at_text: str = Field(description="签署时间（北京时间，YYYY-MM-DD HH:MM:SS）")
    batch_id: int = Field(description="所签账本头的批次号")
    head_hash: str = Field(description="该批次的链哈希（SHA-256，64位十六进制）")
    entry_count: int = Field(description="第1批至该批次的记录总数")
    algorithm: str = Field(description="签名算法：Ed25519")
    key_fingerprint: str = Field(description="签名公钥的指纹（原始32字节公钥的 SHA-256）")
    signature: str = Field(description="Ed25519 签名（128位十六进制）")
    audit_row_id: int | None = Field(
        None,
        description="所签审计日志头：最后一条审计记录的编号（0：日志为空）；早期（v1）锚点无此项",
    )
    audit_hash: str | None = Field(
        None, description="该条审计记录的哈希（SHA-256，64位十六进制）；早期（v1）锚点无此项"
    )


class AnchorKey(Schema):
    algorithm: str = Field(description="签名算法：Ed25519")
    public_key: str = Field(description="公钥（PEM，SubjectPublicKeyInfo）")
    public_key_base64: str = Field(description="原始32字节公钥的 base64")
    key_fingerprint: str = Field(description="公钥指纹（原始32字节公钥的 SHA-256）")


class AnchorList(Schema):
    total: int = Field(description="锚点总数")
    limit: int = Field(description="本页最多条数")
    offset: int = Field(description="跳过的条数")
    key: AnchorKey | None = Field(description="核验签名的公钥；尚未配置签名密钥时为 null")
    message_format: str = Field(description="被签名的字节串的格式说明")
    anchors: list[Anchor] = Field(description="锚点，最新的在前")
