"""The catalog's structure: brands, collections, the folder tree and the category tree.

Small lists pulled whole each run (Centra gives them no change time), with the reference lists in
their one request (`reference_lists`, defs/reference/assets.py). Their limit/page arguments are not
confirmed by public sources: the client pages when the served schema offers them, else asks for the
whole list. A token without the permission for a list gets a WARN on that asset.
"""

import dagster as dg
import pandas as pd

from centra_pipelines.defs.pulls import ReferenceList
from centra_pipelines.mapping import flatten
from centra_pipelines.warehouse.model import BRANDS, CATEGORIES, COLLECTIONS, FOLDERS

GROUP = "catalog_structure"
CATEGORY_TREE = "category_tree"
FIRST_CASES = 20


def tree_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Nodes in a cycle (their parents loop back: no path) and orphans (a parent that is not listed)."""
    ids = set(frame["id"])
    cyclic = frame[frame["path"].isna()].assign(problem="in a cycle: no root above it")
    orphans = frame[frame["parent_id"].notna() & ~frame["parent_id"].isin(ids)].assign(problem="parent not listed")
    return pd.concat([cyclic, orphans], ignore_index=True)[["id", "name", "parent_id", "problem"]]


def category_tree_result(frame: pd.DataFrame) -> list[dg.AssetCheckResult]:
    bad = tree_problems(frame)
    return [dg.AssetCheckResult(
        asset_key="categories", check_name=CATEGORY_TREE, passed=bad.empty, severity=dg.AssetCheckSeverity.WARN,
        metadata={"categories_checked": len(frame), "in_cycles": int((bad["problem"] != "parent not listed").sum()),
                  "orphans": int((bad["problem"] == "parent not listed").sum()),
                  "first_problems": dg.MetadataValue.md(bad.head(FIRST_CASES).to_markdown(index=False))
                  if not bad.empty else "none"},
    )]


LISTS = [
    ReferenceList(BRANDS, flatten.brands, GROUP, "Brands (id, name). Full pull each run.", optional_permission=True),
    ReferenceList(COLLECTIONS, flatten.collections, GROUP, "Collections (id, name, uri, status). Full pull each run.",
                  optional_permission=True),
    ReferenceList(FOLDERS, flatten.folders, GROUP, "The folder tree: each folder with its parent, path from the root "
                                                   "and depth. Full pull each run.", optional_permission=True),
    ReferenceList(
        CATEGORIES, flatten.categories, GROUP,
        "The category tree: each category with its uri, parent, path of names from the root and depth "
        "(none for a category in a cycle). Full pull each run.",
        optional_permission=True, checks=category_tree_result,
        check_specs=(dg.AssetCheckSpec(CATEGORY_TREE, asset="categories", blocking=False,
                                       description="The category tree has no cycles and no orphans (a parent that "
                                                   "Centra does not list); failures name the categories."),)),
]
