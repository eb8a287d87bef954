"""Public search of subjects (名称、拼音首字母、统一社会信用代码、注册号): an index table kept by
the import, trigram-indexed on both engines (docs/architecture.md, "Search")."""
