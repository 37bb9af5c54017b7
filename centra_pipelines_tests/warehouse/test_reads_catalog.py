from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import catalog
from centra_pipelines_tests.warehouse.reads_data import store


def test_markets_and_languages(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.MARKETS, [{"id": 3, "selected": True, "country_codes": ["SE", "FI"]},
                                  {"id": 1, "selected": True, "country_codes": []},
                                  {"id": 2, "selected": False, "country_codes": ["DE"]}])
        store(wh, model.LANGUAGES, [{"id": 1, "code": "sv", "country_code": "SE", "is_active": True},
                                    {"id": 2, "code": "fi", "country_code": "FI", "is_active": False},
                                    {"id": 3, "code": "de", "country_code": "DE", "is_active": True}], deleted=[3])
        assert catalog.selected_market_ids(wh) == [1, 3]
        assert catalog.market_country_codes(wh, 3) == ["SE", "FI"]
        assert catalog.market_country_codes(wh, 1) == []
        assert catalog.market_country_codes(wh, 99) == []
        languages = catalog.live_languages(wh)
        assert sorted(zip(languages["code"], languages["country_code"], languages["is_active"])) == [
            ("fi", "FI", False), ("sv", "SE", True)]


def test_the_content_of_a_markets_displayed_products(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.PRODUCTS, [{"id": p, "status": s} for p, s in
                                   [(10, "ACTIVE"), (11, "ACTIVE"), (12, "INACTIVE"), (13, "ACTIVE"), (14, "ACTIVE")]],
              deleted=[13])
        store(wh, model.DISPLAYS, [{"market_id": m, "id": d, "product_id": p, "status": s} for m, d, p, s in
                                   [(1, 100, 10, "ACTIVE"), (1, 101, 10, "ACTIVE"), (1, 110, 11, "ACTIVE"),
                                    (1, 120, 12, "ACTIVE"), (1, 130, 13, "ACTIVE"), (1, 140, 14, "INACTIVE"),
                                    (2, 141, 14, "ACTIVE")]])
        store(wh, model.PRODUCT_MEDIA, [{"id": 1, "product_id": 10}, {"id": 2, "product_id": 10},
                                        {"id": 3, "product_id": 11}, {"id": 4, "product_id": 14}], deleted=[3])
        store(wh, model.TRANSLATIONS, [
            {"object_type": "product", "object_id": 10, "field": "name", "language_code": "sv", "value": "Skjorta"},
            {"object_type": "product", "object_id": 10, "field": "name", "language_code": "fi", "value": ""},
            {"object_type": "product", "object_id": 11, "field": "description", "language_code": "sv", "value": "x"},
            {"object_type": "product", "object_id": 14, "field": "name", "language_code": "sv", "value": "y"}])
        assert sorted(catalog.displayed_products(wh, 1)["product_id"]) == [10, 11]
        assert sorted(catalog.displayed_products(wh, 2)["product_id"]) == [14]
        images = catalog.displayed_image_counts(wh, 1)
        assert dict(zip(images["product_id"], images["images"])) == {10: 2}
        names = catalog.displayed_name_languages(wh, 1)
        assert list(zip(names["product_id"], names["language_code"])) == [(10, "sv")]


def test_orphan_category_links(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.CATEGORIES, [{"id": 1}, {"id": 2}], deleted=[2])
        store(wh, model.PRODUCT_CATEGORIES, [{"display_id": d, "category_id": c, "product_id": p} for d, c, p in
                                             [(100, 1, 10), (101, 2, 10), (102, 3, 11), (103, 3, 12), (104, 4, 13)]],
              deleted=[(104, 4)])
        orphans = catalog.orphan_category_links(wh)
        assert list(orphans.columns) == ["display_id", "product_id", "category_id"]
        assert list(orphans.itertuples(index=False, name=None)) == [(101, 10, 2), (102, 11, 3), (103, 12, 3)]


def test_the_rows_of_products(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.PRODUCT_MEDIA, [{"id": 1, "product_id": 10}, {"id": 2, "product_id": 11}])
        store(wh, model.TRANSLATIONS, [
            {"object_type": "product", "object_id": 10, "field": "name", "language_code": "sv"},
            {"object_type": "category", "object_id": 10, "field": "name", "language_code": "sv"},
            {"object_type": "product", "object_id": 12, "field": "name", "language_code": "sv"}])
        store(wh, model.VARIANTS, [{"id": 5, "product_id": 10}, {"id": 6, "product_id": 12}])
        store(wh, model.SIZES, [{"id": 50, "product_id": 10}, {"id": 51, "product_id": 10}, {"id": 60, "product_id": 12}])
        assert catalog.product_rows(wh, []) == {}
        rows = catalog.product_rows(wh, [10, 99])
        assert {k: sorted(v) for k, v in rows.items()} == {
            "products": [10, 99], "product_media": [1], "translations": [("product", 10, "name", "sv")],
            "variants": [5], "sizes": [50, 51]}


def test_sizes_of_variants_and_their_identifiers(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.PRODUCTS, [{"id": 10, "size_chart_id": 7}, {"id": 11, "size_chart_id": 7}], deleted=[11])
        store(wh, model.VARIANTS, [{"id": 5, "product_id": 10}, {"id": 6, "product_id": 10},
                                   {"id": 8, "product_id": 10}, {"id": 9, "product_id": 11}], deleted=[8])
        store(wh, model.SIZES, [{"id": i, "variant_id": v, "size_id": s, "sku": sku, "ean": ean}
                                for i, v, s, sku, ean in [(50, 5, 1, "A", "1"), (51, 5, 2, "", "2"),
                                                          (52, 5, 3, "C", None), (53, 5, 4, "D", "4"),
                                                          (60, 9, 1, None, None)]], deleted=[53])
        store(wh, model.SIZE_CHARTS, [{"id": 7, "sizes": [{"id": 1, "name": "S"}, {"id": 2, "name": "M"}]}])
        counts = catalog.variant_size_counts(wh)
        assert sorted(counts.itertuples(index=False, name=None)) == [(5, 10, 7, 3), (6, 10, 7, 0)]
        charts = catalog.size_charts(wh)
        assert charts.to_dict("records") == [{"id": 7, "sizes": [{"id": 1, "name": "S"}, {"id": 2, "name": "M"}]}]
        assert sorted(catalog.sizes_without_identifiers(wh)["id"]) == [51, 52, 60]
        present = catalog.sizes_of_variants(wh, [5, 6])
        assert sorted(zip(present["variant_id"], present["size_id"])) == [(5, 1), (5, 2), (5, 3)]
        assert catalog.skus(wh, [50, 51, 99]) == {50: "A", 51: ""}
        assert catalog.skus(wh, []) == {}
