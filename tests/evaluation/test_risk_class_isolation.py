"""SAMR risk classes (and every evaluation result) are never a punishment input: no module of
checks, lists, cases or the sanctions catalogue imports the evaluation context or the
evaluation catalogue, directly or through another module, and none names the results table
or a risk-class model. The same rule is the import-linter contract ``risk-class``
(.importlinter), run by ``make lint``; this test keeps it from being dropped silently."""

from __future__ import annotations

import configparser
from pathlib import Path

import grimp

import xinyong

ROOT = Path(xinyong.__file__).parent
PUNISHING = ("xinyong.checks", "xinyong.lists", "xinyong.cases", "xinyong.catalog.sanctions",
             "xinyong.catalog.sanctions_build", "xinyong.catalog.sanctions_parse")  # fmt: skip
EVALUATION = ("xinyong.evaluation", "xinyong.catalog.evaluation")


def test_no_import_chain_from_punishment_to_evaluation() -> None:
    graph = grimp.build_graph("xinyong")
    for source in PUNISHING:
        for target in EVALUATION:
            chains = graph.find_shortest_chains(importer=source, imported=target)
            assert not chains, f"{source} reaches {target}: {sorted(chains)[:3]}"


def test_no_punishment_module_names_results_or_risk_models() -> None:
    risk_models = {"QYXYFXFL", "risk_class", "evaluation_results"}
    offenders = []
    for module in PUNISHING:
        rel = Path(*module.split(".")[1:])
        files = (
            sorted((ROOT / rel).rglob("*.py"))
            if (ROOT / rel).is_dir()
            else [(ROOT / rel).with_suffix(".py")]
        )
        for f in files:
            text = f.read_text("utf-8")
            offenders += [f"{f.relative_to(ROOT)}: {w}" for w in risk_models if w in text]
    assert offenders == []


def test_the_contract_is_declared() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT.parents[1] / ".importlinter", encoding="utf-8")
    contract = cfg["importlinter:contract:risk-class"]
    assert contract["type"] == "forbidden"
    assert set(contract["source_modules"].split()) == set(PUNISHING)
    assert set(contract["forbidden_modules"].split()) == set(EVALUATION)
