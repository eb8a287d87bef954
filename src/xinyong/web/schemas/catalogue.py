"""The catalogue (目录) of credit information items."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import LegalBasis, Schema


class ItemField(Schema):
    code: str = Field(description="字段代码")
    name: str = Field(description="字段名称")
    type: str = Field(description="类型")
    required: bool = Field(description="是否必填")


class CatalogueItem(Schema):
    code: str = Field(description="信息项代码，如 XZCF")
    name: str = Field(description="信息项名称")
    category: str = Field(description="类别")
    version: str = Field(description="版本")
    effective_from: str = Field(description="施行日期")
    disclosure: str = Field(description="公开属性：社会公开、政务共享、授权查询")
    nature: str = Field(description="性质：negative（失信）、positive（守信）、neutral")
    local: bool = Field(description="是否为地方补充目录")
    legal_basis: list[LegalBasis]
    fields: list[ItemField]


class Catalogue(Schema):
    """现行目录信息项。"""

    version: str = Field(description="目录快照版本")
    items: list[CatalogueItem]
