"""A worker process that pulls the catalog (run by the kill test: python -m ... URL WAREHOUSE_URL HOME)."""

import sys

import dagster as dg

from centra_pipelines.defs.domains import build_definitions
from centra_pipelines.defs.resources import CentraResource, WarehouseResource

CATALOG = [dg.AssetKey(k) for k in ("products", "variants", "sizes", "product_media", "translations")]


def main(sandbox_url: str, warehouse_url: str, share: float) -> int:
    defs = build_definitions({
        "centra": CentraResource(url=sandbox_url, token="sandbox", page_size=20, share=share),
        "warehouse": WarehouseResource(url=warehouse_url),
    })
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
            instance=instance, asset_selection=CATALOG, raise_on_error=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
