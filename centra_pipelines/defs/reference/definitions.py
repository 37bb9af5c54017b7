"""The reference domain's definitions: the reference lists and the small lists that ride their one
request — the catalog structure (brands, collections, folders, categories) and wholesale accounts."""

import dagster as dg

from centra_pipelines.defs.reference import assets, structure, wholesale

defs = dg.Definitions(assets=[assets.reference_lists_asset([*structure.LISTS, *wholesale.LISTS])])
