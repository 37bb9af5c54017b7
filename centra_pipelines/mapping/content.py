"""What a market shows of each product: at least one image and a name in each of its languages.

Centra's Market names no language: a market's languages are the store's active languages whose
country is one of the market's countries (Language.countryCode), e.g. sv for Sweden, de and en for a
market of DE, FR, NL and GB. A market none of whose countries has a language of its own needs only
the product's default name.
"""

from __future__ import annotations

import pandas as pd


def market_languages(country_codes: list[str], languages: pd.DataFrame) -> list[str]:
    active = languages[languages["is_active"].fillna(False).astype(bool)]
    return sorted(set(active.loc[active["country_code"].isin(country_codes), "code"]))


def content_gaps(displayed: pd.DataFrame, images: pd.DataFrame, names: pd.DataFrame,
                 languages: list[str]) -> pd.DataFrame:
    """(product_id, missing) for every displayed product without an image or without a name in one of
    `languages`. `displayed`: product_id; `images`: product_id, images; `names`: product_id, language_code."""
    products = sorted(set(displayed["product_id"].astype(int)))
    with_images = set(images.loc[images["images"] > 0, "product_id"].astype(int))
    named = set(zip(names["product_id"].astype(int), names["language_code"]))
    gaps = [(p, "image") for p in products if p not in with_images]
    gaps += [(p, f"name:{lang}") for p in products for lang in languages if (p, lang) not in named]
    return pd.DataFrame(sorted(gaps), columns=["product_id", "missing"])
