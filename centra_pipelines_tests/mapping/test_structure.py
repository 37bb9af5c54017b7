"""Flattening Centra's trees (nodes listed flat with their children) and what a market must show."""

import pandas as pd

from centra_pipelines.mapping import flatten
from centra_pipelines.mapping.content import content_gaps, market_languages


def test_a_tree_gets_parents_paths_and_depths_and_a_cycle_gets_no_path():
    rows = [{"id": 1, "name": "Women", "childCategories": [{"id": 2}]},
            {"id": 2, "name": "Tops", "childCategories": [{"id": 3}]},
            {"id": 3, "name": "T-shirts", "childCategories": []},
            {"id": 7, "name": "Archive A", "childCategories": [{"id": 8}]},
            {"id": 8, "name": "Archive B", "childCategories": [{"id": 7}]}]
    frame = flatten.categories(rows).set_index("id")
    assert frame.loc[3, "path"] == "Women > Tops > T-shirts" and frame.loc[3, "depth"] == 2
    assert pd.isna(frame.loc[1, "parent_id"]) and frame.loc[1, "path"] == "Women"
    assert frame.loc[[7, 8], "path"].isna().all() and list(frame.loc[[7, 8], "parent_id"]) == [8, 7]


def test_market_languages_are_the_active_languages_of_its_countries():
    languages = pd.DataFrame({"code": ["sv", "en", "de", "ja"], "country_code": ["SE", "GB", "DE", "JP"],
                              "is_active": [True, True, True, False]})
    assert market_languages(["DE", "FR", "NL", "GB"], languages) == ["de", "en"]
    assert market_languages(["JP"], languages) == []  # Japanese is not active


def test_content_gaps_name_products_without_image_or_name_in_a_language():
    displayed = pd.DataFrame({"product_id": [1, 2, 3]})
    images = pd.DataFrame({"product_id": [1, 3], "images": [2, 1]})
    names = pd.DataFrame({"product_id": [1, 1, 2, 3], "language_code": ["de", "en", "de", "de"]})
    gaps = content_gaps(displayed, images, names, ["de", "en"])
    assert list(gaps.itertuples(index=False, name=None)) == [(2, "image"), (2, "name:en"), (3, "name:en")]
