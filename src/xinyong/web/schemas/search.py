"""Response model of the public search."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import Schema
from xinyong.web.schemas.creditfile import Labelled


class SearchHit(Schema):
    code: str = Field(description="主体代码（统一社会信用代码）")
    name: str = Field(description="名称")
    kind: Labelled = Field(description="主体类别")
    uscc: str | None = Field(description="统一社会信用代码")
    old_reg_no: str | None = Field(description="工商注册号（如有报送）")
    match: Labelled = Field(description="匹配方式：exact_code、code_prefix、name_prefix、fuzzy 等")


class SearchResults(Schema):
    query: str = Field(description="规范化后的查询内容")
    kind: str = Field(description="查询类型：uscc、code（部分代码或注册号）、initials、name")
    total: int = Field(description="匹配的主体数（capped 为 true 时为下限）")
    capped: bool = Field(description="匹配数超过上限，仅列出排名靠前者")
    page: int = Field(description="页码")
    size: int = Field(description="每页条数")
    pages: int = Field(description="总页数")
    exact: str | None = Field(description="代码完全一致的唯一主体，可直接打开其档案")
    results: list[SearchHit]
