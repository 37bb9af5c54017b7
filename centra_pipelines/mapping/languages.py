"""Centra language codes into our locales (the mapping's `languages` section)."""

from __future__ import annotations

import pandas as pd

from centra_pipelines.mapping.config import Mapping


def map_languages(codes: pd.Series, mapping: Mapping) -> pd.Series:
    """Our locale per Centra language code; None where the mapping has none (see unmapped_values)."""
    return pd.Series([mapping.languages.get(c) if isinstance(c, str) else None for c in codes.tolist()],
                     index=codes.index, dtype=object, name=codes.name)


__all__ = ["map_languages"]
