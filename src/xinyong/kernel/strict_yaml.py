"""YAML as the platform's data files are read: safe, one document, and a key written twice in
one mapping refused (PyYAML would silently keep the last, so a second ``holidays:`` block or a
repeated ``code:`` would hide the first). Used by the catalogue and the working-day calendar."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml when available (several times faster), the pure-Python parser otherwise.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping; ``key`` and ``line`` (1-based) say which and where."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(
            "while constructing a mapping",
            None,
            f"found duplicate key {node.value!r}",
            node.start_mark,
        )
        self.key = str(node.value)
        self.line = node.start_mark.line + 1


def _duplicate_key(node: yaml.Node) -> yaml.Node | None:
    """The first key written twice in one mapping (merge keys ``<<`` aside)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    return key_node
                seen.add(ident)
            found = _duplicate_key(value_node)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found is not None:
                return found
    return None


def load_strict(text: str) -> Any:
    """The document in ``text`` (None when empty). Raises ``yaml.YAMLError``: a syntax error, or
    :class:`DuplicateKey`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        dup = _duplicate_key(node)
        if dup is not None:
            raise DuplicateKey(dup)
        return loader.construct_document(node)
    finally:
        loader.dispose()
