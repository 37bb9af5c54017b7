"""Cursors survive a trip through JSON (they are stored in sync_state between runs)."""

from centra_pipelines.centra.pagination import Cursor


def test_keyset_cursor_round_trips_through_json():
    cursor = Cursor("products", "keyset", page=2, updated_from="2026-03-30T10:00:00+02:00",
                    last_updated_at="2026-03-30T10:00:00+02:00", last_id=812)
    text = cursor.to_json()
    assert isinstance(text, str)
    assert Cursor.from_json(text) == cursor
    assert Cursor.coerce(text) == cursor


def test_connection_and_page_cursors_round_trip():
    for cursor in (Cursor("productConnection", "connection", page=4, after="aWQ6MTIz"),
                   Cursor("orders", "pages", page=7, done=True),
                   Cursor("orders", "keyset", last_id="1497ccf644db871e1e4026d101bde6f3")):
        assert Cursor.from_json(cursor.to_json()) == cursor
