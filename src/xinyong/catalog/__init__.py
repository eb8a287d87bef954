"""The catalogue as versioned data: items, code tables, publication policies, list types,
measures and scenarios, each with its legal basis (model.py for the types, files.py for reading
any catalogue file; see docs/architecture.md, "The catalogue's modules"). Owns no table."""
