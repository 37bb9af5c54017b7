"""Tables of the catalog group (products, variants, sizes, displays, prices, media, translations) and
of the catalog structure (brands, collections, folders, categories)."""

from centra_pipelines.warehouse.gtin import valid_gtins
from centra_pipelines.warehouse.model.formats import CURRENCY_CODE, MONEY
from centra_pipelines.warehouse.tables import Column, Rule, TableSpec

GTIN_CHECK_DIGIT = Rule("gtin_check_digit", valid_gtins)

SIZE_CHARTS = TableSpec("size_charts", key="id", columns={
    "id": Column("bigint", "Centra size chart id.", gt=0, unique=True),
    "name": Column("text", "Size chart name.", nullable=False),
    "sizes": Column("json", "The chart's sizes in order: [{id, name}]."),
})

PRODUCTS = TableSpec("products", key="id", updated_at="updated_at", columns={
    "id": Column("bigint", "Centra product id.", gt=0, unique=True),
    "name": Column("text", "Product name.", nullable=False),
    "status": Column("text", "Product status in Centra (ACTIVE, INACTIVE, CANCELLED).", nullable=False),
    "product_number": Column("text", "The brand's product number (the start of every SKU).", nullable=False),
    "is_bundle": Column("boolean", "Whether the product is a bundle of other products."),
    "size_chart_id": Column("bigint", "Size chart of the product (size_charts.id)."),
    "brand_id": Column("bigint", "Brand (brands.id)."),
    "collection_id": Column("bigint", "Collection (collections.id)."),
    "folder_id": Column("bigint", "Folder (folders.id)."),
    "created_at": Column("timestamptz", "When the product was created in Centra (UTC)."),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the product (UTC).", nullable=False),
})

VARIANTS = TableSpec("variants", key="id", updated_at="updated_at", columns={
    "id": Column("bigint", "Centra variant id.", gt=0, unique=True),
    "product_id": Column("bigint", "Product of the variant (products.id).", gt=0),
    "name": Column("text", "Variant name (usually the colour).", nullable=False),
    "status": Column("text", "Variant status in Centra."),
    "variant_number": Column("text", "The brand's variant number (the middle of the SKU).", nullable=False),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the variant (UTC).", nullable=False),
})

SIZES = TableSpec("sizes", key="id", updated_at="updated_at", columns={
    "id": Column("bigint", "Centra product size id (one size of one variant: the sellable item).", gt=0, unique=True),
    "variant_id": Column("bigint", "Variant of the size (variants.id).", gt=0),
    "product_id": Column("bigint", "Product of the size (products.id)."),
    "size_id": Column("bigint", "Size in the size chart (the chart's size id).", gt=0),
    "size_name": Column("text", "Size name (S, M, 42…).", nullable=False),
    "size_chart_id": Column("bigint", "Size chart the size comes from (size_charts.id)."),
    "size_number": Column("text", "The brand's size number (the end of the SKU)."),
    "sku": Column("text", "Stock keeping unit: product number + variant number + size number.", nullable=False),
    "ean": Column("text", "EAN/GTIN barcode (check digit validated by the contract).", GTIN_CHECK_DIGIT, nullable=True),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the size, or of its variant (UTC).", nullable=False),
})

DISPLAYS = TableSpec("displays", key=("market_id", "id"), updated_at="updated_at", columns={
    "market_id": Column("bigint", "Market the display is shown in (markets.id); a display shown in several has "
                                  "a row for each.", gt=0),
    "id": Column("bigint", "Centra display id.", gt=0),
    "product_id": Column("bigint", "Product shown (products.id)."),
    "name": Column("text", "Display name (what the shop shows).", nullable=False),
    "status": Column("text", "Display status in Centra.", nullable=False),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the display (UTC).", nullable=False),
    "category_id": Column("bigint", "The display's canonical category (categories.id)."),
    "category_name": Column("text", "Name of the canonical category."),
})

# One row per pricelist, not per market showing it (docs/warehouse.md).
PRICES = TableSpec("prices", key=("display_id", "pricelist_id"), updated_at="updated_at", columns={
    "display_id": Column("bigint", "Display the price is for (displays.id).", gt=0),
    "product_id": Column("bigint", "Product priced (products.id)."),
    "pricelist_id": Column("bigint", "Pricelist the price comes from (pricelists.id).", gt=0),
    "price": Column(MONEY, "Price in the pricelist currency, quantised to its minor units.", ge=0),
    "currency_code": Column("text", "ISO 4217 currency of the price.", str_matches=CURRENCY_CODE),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the display the price was read with (UTC)."),
})

# Images and translations ride on their product's page and carry its updatedAt (the conflict rule).
PRODUCT_MEDIA = TableSpec("product_media", key="id", updated_at="product_updated_at", columns={
    "id": Column("bigint", "Centra media id.", gt=0, unique=True),
    "product_id": Column("bigint", "Product (products.id).", gt=0),
    "position": Column("integer", "Order of the image on the product.", ge=0),
    "url": Column("text", "Image URL.", str_matches=r"^https?://\S+$"),  # an image without a URL cannot be shown
    "mime_type": Column("text", "MIME type."),
    "size_name": Column("text", "Media size name."),
    "max_width": Column("integer", "Width in pixels."),
    "max_height": Column("integer", "Height in pixels."),
    "product_updated_at": Column("timestamptz", "updatedAt of the product (UTC).", nullable=False),
})

TRANSLATIONS = TableSpec("translations", key=("object_type", "object_id", "field", "language_code"),
                         updated_at="object_updated_at", columns={
    "object_type": Column("text", "What is translated (product).", nullable=False),
    "object_id": Column("bigint", "Its Centra id.", gt=0),
    "field": Column("text", "Translated field (name, description…).", nullable=False),
    "language_code": Column("text", "Language code.", str_length={"min_value": 2}),
    "value": Column("text", "Translated text.", str_length={"min_value": 1}),  # an empty one shows as a blank page
    "object_updated_at": Column("timestamptz", "updatedAt of the object (UTC).", nullable=False),
})

# A display's categories (Centra links categories to displays, not to products), with its market's partition.
PRODUCT_CATEGORIES = TableSpec("product_categories", key=("display_id", "category_id"),
                               updated_at="display_updated_at", columns={
    "display_id": Column("bigint", "Display the category is linked to (displays.id).", gt=0),
    "category_id": Column("bigint", "Category (categories.id).", gt=0),
    "product_id": Column("bigint", "Product of the display.", gt=0),
    "is_canonical": Column("boolean", "The display's canonical category."),
    "display_updated_at": Column("timestamptz", "updatedAt of the display (UTC)."),
})

# --- catalog structure: full pulls of small lists (no change time: the last write wins) -------------
BRANDS = TableSpec("brands", key="id", columns={
    "id": Column("bigint", "Centra brand id.", gt=0, unique=True),
    "name": Column("text", "Brand name.", nullable=False),
})

COLLECTIONS = TableSpec("collections", key="id", columns={
    "id": Column("bigint", "Centra collection id.", gt=0, unique=True),
    "name": Column("text", "Collection name.", nullable=False),
    "uri": Column("text", "Collection URI."),
    "status": Column("text", "Collection status.", nullable=True, isin=["ACTIVE", "INACTIVE"]),
})

# Trees: Centra lists every node flat with its children; parent, path (names from the root, " > ") and
# depth are derived. A node in a cycle has no path.
FOLDERS = TableSpec("folders", key="id", columns={
    "id": Column("bigint", "Centra folder id.", gt=0, unique=True),
    "name": Column("text", "Folder name.", nullable=False),
    "parent_id": Column("bigint", "Parent folder (derived); NULL for a root.", gt=0, nullable=True),
    "path": Column("text", "Names from the root, ' > '-separated."),
    "depth": Column("integer", "0 for a root."),
})

CATEGORIES = TableSpec("categories", key="id", columns={
    "id": Column("bigint", "Centra category id.", gt=0, unique=True),
    "name": Column("text", "Category name.", nullable=False),
    "uri": Column("text", "Category URI."),
    "meta_description": Column("text", "Meta description."),
    "parent_id": Column("bigint", "Parent category (derived from childCategories); NULL for a root.",
                                  gt=0, nullable=True),
    "path": Column("text", "Names from the root, ' > '-separated; NULL in a cycle."),
    "depth": Column("integer", "0 for a root; NULL in a cycle."),
})
