"""Centra's served schema as an asset, with drift checks (centra_schema)."""
