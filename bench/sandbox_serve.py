"""Benchmark the sandbox Centra over real HTTP.

For each scale: the start-up time (data generation + uvicorn until the port answers), and rows
per second served for nested product pages (products -> variants -> productSizes, limit 200)
fetched one page at a time by an httpx client on loopback, as a sync would.

    /work/venv/bin/python bench/sandbox_serve.py                  # tiny small medium large
    /work/venv/bin/python bench/sandbox_serve.py --scales tiny small --max-pages 20
"""

from __future__ import annotations

import argparse
import time

import httpx

from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

PRODUCT_PAGE = """
query ProductPage($page: Int!) {
  products(limit: 200, page: $page) {
    id name status productNumber updatedAt
    variants {
      id name variantNumber updatedAt
      productSizes { id SKU EAN sizeNumber size { name } }
    }
  }
}
"""


def count_rows(products: list[dict]) -> int:
    rows = len(products)
    for product in products:
        rows += len(product["variants"])
        rows += sum(len(v["productSizes"]) for v in product["variants"])
    return rows


def bench_scale(scale: str, max_pages: int, seed: int) -> dict:
    server = SandboxServer(SandboxConfig(seed=seed, scale=scale, tier="off"))
    server.start()
    try:
        with httpx.Client(headers={"Authorization": "Bearer sandbox"}, timeout=120) as client:
            rows = pages = complexity = 0
            started = time.perf_counter()
            for page in range(1, max_pages + 1):
                response = client.post(server.url, json={"query": PRODUCT_PAGE, "variables": {"page": page},
                                                          "operationName": "ProductPage"})
                response.raise_for_status()
                body = response.json()
                if body.get("errors"):
                    raise RuntimeError(f"{scale} page {page}: {body['errors'][0]['message']}")
                products = body["data"]["products"]
                if not products:
                    break
                rows += count_rows(products)
                complexity += body["extensions"]["complexity"]
                pages += 1
            elapsed = time.perf_counter() - started
    finally:
        server.stop()
    return {"scale": scale, "startup_s": server.startup_seconds, "pages": pages, "rows": rows,
            "seconds": elapsed, "rows_per_s": rows / elapsed if elapsed else 0.0,
            "complexity_per_page": complexity / pages if pages else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["tiny", "small", "medium", "large"])
    parser.add_argument("--max-pages", type=int, default=50, help="pages fetched per scale at most")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{'scale':<8} {'start-up s':>10} {'pages':>6} {'rows':>9} {'rows/s':>10} {'complexity/page':>16}")
    for scale in args.scales:
        r = bench_scale(scale, args.max_pages, args.seed)
        print(f"{r['scale']:<8} {r['startup_s']:>10.2f} {r['pages']:>6} {r['rows']:>9} {r['rows_per_s']:>10.0f} "
              f"{r['complexity_per_page']:>16.0f}", flush=True)
        if scale == "large" and r["startup_s"] >= 60:
            print(f"large start-up {r['startup_s']:.1f} s exceeds the 60 s target")


if __name__ == "__main__":
    main()
