"""The filters every page shares."""

from __future__ import annotations

import pytest

from xinyong.web.templating import actor_label


@pytest.mark.parametrize(
    ("actor", "label"),
    [
        ("user:5:wang_scjg", "wang_scjg（控制台用户）"),
        ("client:3:市场监管业务系统", "市场监管业务系统（业务系统接口）"),
        ("cli:ops", "ops（命令行）"),
        ("subject:91610000MA6TG0X75H", "主体本人（91610000MA6TG0X75H）"),
        ("system", "系统"),
        ("scjg:demo", "scjg:demo"),  # no known kind: shown as stored
        ("user:7", "7（控制台用户）"),
    ],
)
def test_actor_label(actor: str, label: str) -> None:
    assert actor_label(actor) == label
