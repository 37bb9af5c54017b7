"""Pure functions that turn Centra's data into ours, driven by the validated mapping file.

Plain Python (pandas, pydantic, pyyaml): no Dagster here. See docs/mapping.md.
"""

from centra_pipelines.mapping.config import Mapping, MappingError, load_mapping

__all__ = ["Mapping", "MappingError", "load_mapping"]
