"""The one resume rule and the typed cursor sync_state keeps (decoded once, legacy rows included)."""

import json
import logging

from centra_pipelines.centra.pagination import Cursor
from centra_pipelines.centra.resume import Resume, SavedCursor, Start, resume

LOG = logging.getLogger("test_resume")
KEYSET_DONE = Cursor("products", "keyset", page=1, updated_from="2026-03-30T10:00:00Z",
                     last_updated_at="2026-03-30T10:00:00Z", last_id=812, done=True)


def test_a_saved_cursor_round_trips_and_a_bare_one_is_stored_as_the_iteration_cursor():
    bare = SavedCursor(KEYSET_DONE)
    assert bare.encode() == KEYSET_DONE.to_json()  # streams without state of their own: the format is unchanged
    assert SavedCursor.decode(bare.encode()) == bare
    displays = SavedCursor(Cursor("displays", "pages", page=3), markets=(1, 4), since="2026-03-01T00:00:00+00:00",
                           latest="2026-03-30T09:00:00+00:00")
    assert SavedCursor.decode(displays.encode()) == displays
    assert json.loads(displays.encode())["markets"] == [1, 4]


def test_rows_saved_by_earlier_versions_decode_to_the_same_cursor():
    position = Cursor("stock", "pages", page=5)
    legacy = json.dumps({"cursor": position.to_json(), "observed_at": "2026-03-30T02:30:00+00:00"})
    assert SavedCursor.decode(legacy) == SavedCursor(position, observed_at="2026-03-30T02:30:00+00:00")
    legacy_displays = json.dumps({"cursor": Cursor("displays", "pages", done=True).to_json(), "markets": [2],
                                  "since": None, "latest": "2026-03-30T09:00:00+00:00"})
    assert SavedCursor.decode(legacy_displays) == SavedCursor(Cursor("displays", "pages", done=True), markets=(2,),
                                                              latest="2026-03-30T09:00:00+00:00")


def test_where_a_run_starts(caplog):
    unfinished = Cursor("orders", "keyset", page=2, updated_from="2026-03-30T10:00:00Z")
    assert resume(None, "keyset", LOG) == Resume(Start.FRESH, None)
    assert resume(SavedCursor(unfinished), "keyset", LOG) == Resume(Start.RESUME, unfinished)
    # a finished keyset pull: an incremental stream continues after its last row, a window starts again
    assert resume(SavedCursor(KEYSET_DONE), "keyset", LOG) == Resume(
        Start.CONTINUE, Cursor("products", "keyset", page=1, updated_from="2026-03-30T10:00:00Z",
                               last_updated_at="2026-03-30T10:00:00Z", last_id=812))
    assert resume(SavedCursor(KEYSET_DONE), "keyset", LOG, incremental=False) == Resume(Start.AGAIN, None)
    # a finished page-mode pull: page numbers mean nothing once rows changed
    assert resume(SavedCursor(Cursor("displays", "pages", page=9, done=True)), "pages", LOG) == Resume(
        Start.AGAIN, None)
    with caplog.at_level(logging.WARNING, logger="test_resume"):
        assert resume(SavedCursor(unfinished), "pages", LOG) == Resume(Start.FRESH, None)
    assert "saved cursor is for keyset mode but the API now offers pages" in caplog.text
