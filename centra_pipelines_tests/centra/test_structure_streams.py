"""Lists whose limit/page arguments Centra's public schema leaves unconfirmed (accounts, brands,
collections, categories, folders): paged when the served Query field offers both arguments, else read
whole in one request, over real HTTP against the sandbox."""

from centra_pipelines.centra import CentraClient
from centra_pipelines.centra.capabilities import PAGES, WHOLE, plan_stream
from centra_pipelines.centra.pagination import ListPages
from centra_pipelines.centra.streams import STREAMS


def test_structure_lists_page_when_the_schema_offers_limit_and_page(sandbox_server):
    truth = sandbox_server.truth()
    with CentraClient(sandbox_server.url, "sandbox") as client:
        for name in ("accounts", "brands", "collections", "categories", "folders"):
            assert client.capabilities().plan(name).mode == PAGES, name
            pages = list(client.pages(name, limit=5))
            assert [r["id"] for p in pages for r in p.rows] == [r["id"] for r in truth[name]], name
            assert len(pages) == len(truth[name]) // 5 + 1


def test_a_list_without_limit_and_page_is_read_whole_in_one_request(sandbox_server):
    truth = sandbox_server.truth()
    with CentraClient(sandbox_server.url, "sandbox") as client:
        # The schema a Centra without the (unconfirmed) arguments would serve: the same, minus both.
        features = client.capabilities().features - {"Query.categories.limit", "Query.categories.page"}
        plan = plan_stream(STREAMS["categories"], features)
        assert plan.mode == WHOLE and "offers no limit/page" in plan.reason
        before = client.stats.requests
        pages = list(ListPages(client, STREAMS["categories"], plan.mode, plan.sort))
        assert client.stats.requests - before == 1
    assert len(pages) == 1 and pages[0].done
    # 18 categories: under the sandbox's default limit (20), so the whole list fits one answer.
    assert [r["id"] for r in pages[0].rows] == [c["id"] for c in truth["categories"]]
    assert {c["id"] for r in pages[0].rows for c in r["childCategories"]} == {
        c["id"] for c in truth["categories"] if c["parent_id"] is not None}


def test_a_list_the_schema_lacks_is_unavailable_with_the_reason(sandbox_server):
    with CentraClient(sandbox_server.url, "sandbox") as client:
        features = frozenset(f for f in client.capabilities().features if not f.startswith("Query.folders"))
    plan = plan_stream(STREAMS["folders"], features)
    assert (plan.mode, plan.reason) == ("unavailable", "schema lacks Query.folders")
