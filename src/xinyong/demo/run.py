"""The main job: a demo province in the embedded database, imported through the real pipeline."""

from __future__ import annotations

import json
from collections.abc import Callable

from xinyong.access import accounts
from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.demo import commitments, inspections, rectifications, repairs, scenes, voluntary
from xinyong.demo.generator import DEPARTMENTS, department_uscc, generate_files
from xinyong.kernel.errors import XinyongError
from xinyong.ledger.service import verify
from xinyong.store.migrate import upgrade

# One account per console role. Demo only: the password is published in README.md.
DEMO_PASSWORD = "Demo-2026-xinyong"  # noqa: S105 - published, demo only
DEMO_ACCOUNTS = (
    ("demo_admin", "演示·信用办管理员", "office_admin", None),
    ("demo_officer", "演示·部门经办人员", "department_officer", DEPARTMENTS[0][0]),
    ("demo_inspector", "演示·检查人员", "inspector", None),
    ("demo_auditor", "演示·审计人员", "auditor", None),
)


def add_demo_accounts(platform: Platform) -> list[str]:
    """The demo's console accounts that do not exist yet; returns their names."""
    added = []
    with platform.engine.begin() as conn:
        for name, display, role, department in DEMO_ACCOUNTS:
            if access_repo.user_by_name(conn, name) is not None:
                continue
            accounts.create_user(
                conn,
                platform.password_hasher(),
                platform.account_policy(),
                name=name,
                display_name=display,
                role=role,
                department_code=department,
                password=DEMO_PASSWORD,
                now=platform.clock.now(),
                actor="demo",
            )
            added.append(name)
    return added


def run_demo(
    platform: Platform, *, subjects: int, echo: Callable[[str], None], seed: int = 2019
) -> None:
    upgrade(platform.engine)
    echo(f"数据库：{platform.engine.url.render_as_string(hide_password=True)}")
    keys_file = platform.settings.data_dir / "demo-keys.json"
    keys: dict[str, str] = json.loads(keys_file.read_text()) if keys_file.exists() else {}
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        for code, name, sector, _ in DEPARTMENTS:
            if access_repo.get_department(conn, code) is None:
                access.add_department(conn, code, name, sector, department_uscc(code), now)
                keys[code] = access.issue_key(conn, f"{name}业务系统", "department", code, now)
        if "office" not in keys:
            keys["office"] = access.issue_key(conn, "省信用办", "office", None, now)
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(json.dumps(keys, ensure_ascii=False, indent=2))
    keys_file.chmod(0o600)
    out = platform.settings.data_dir / "demo"
    files = generate_files(out, subjects=subjects, seed=seed, today=platform.clock.today())
    echo(f"已生成模拟省份：{subjects} 个主体，{len(files)} 个报送文件（{out}）")
    importer = platform.importer()
    sample_rejection = None
    for f in files:
        try:
            result = importer.import_bytes(
                f.path.read_bytes(),
                filename=f.path.name,
                department_code=f.department,
                item_code=f.item,
            )
        except XinyongError as exc:
            echo(f"  {f.path.name}：整份拒收 —— {exc.message_zh}")
            continue
        echo(
            f"  {f.path.name}：{result.item_name} 共{result.rows}行，接收{result.accepted}，"
            f"拒收{result.rejected}，重复{result.duplicates}，超期{result.late}"
        )
        if result.rejections and sample_rejection is None:
            sample_rejection = result.rejections
    if sample_rejection:
        echo("  拒收示例：")
        for r in sample_rejection[:4]:
            echo(f"    第{r['row']}行 {r['field']}：“{r['value']}” —— {r['reason']}")
    scenes.stage(platform, files, echo)
    repairs.stage(platform, scenes.organisations(files), echo)
    scenes.stage_objections(platform, files, echo)
    rectifications.stage(platform, scenes.organisations(files), echo)
    voluntary.stage(platform, scenes.organisations(files), echo)
    commitments.stage(platform, scenes.organisations(files), echo)
    with platform.engine.connect() as conn:
        n_batches, n_entries, problems = verify(conn)
    echo(
        f"账本校验：{n_batches} 个批次、{n_entries} 条记录，{'完整' if not problems else '发现问题'}"
    )
    echo(f"部门与信用办的 API 密钥保存在 {keys_file}")
    add_demo_accounts(platform)
    inspections.stage(platform, echo)  # after the accounts: demo_inspector is linked
    echo(
        "控制台 /console/login 演示账户（仅供演示）："
        + "、".join(name for name, *_ in DEMO_ACCOUNTS)
        + f"，口令均为 {DEMO_PASSWORD}"
    )
