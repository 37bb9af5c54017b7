"""Where a run of a stream starts: the cursor `sync_state` keeps, typed, and the one rule every stream
resumes by.

Each committed page saves a `SavedCursor` with its rows (defs/loading.py `StreamWriter`); the next
run decodes it once and `resume` decides where that run starts.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import Enum

from centra_pipelines.centra.capabilities import KEYSET
from centra_pipelines.centra.pagination import Cursor

_POSITION_FIELDS = tuple(f.name for f in dataclasses.fields(Cursor))


@dataclass(frozen=True)
class SavedCursor:
    """What `sync_state` keeps for one (stream, partition): where the Centra iteration continues, and
    what a stream needs to continue the same pull rather than start another one."""

    position: Cursor
    observed_at: str | None = None  # stock: when the snapshot being written started (UTC, ISO 8601)
    markets: tuple[int, ...] | None = None  # displays: the market selection the pull is for
    since: str | None = None  # displays: the updatedAt the pull filters from (None: every display)
    latest: str | None = None  # displays: the latest updatedAt the pulls have seen

    def encode(self) -> str:
        """One JSON object: the position's fields, then the stream's own fields that are set (a stream
        with none of them stores exactly `Cursor.to_json()`)."""
        extra = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                 if f.name != "position" and getattr(self, f.name) is not None}
        if "markets" in extra:
            extra["markets"] = list(extra["markets"])
        return json.dumps({**dataclasses.asdict(self.position), **extra}, sort_keys=True)

    @classmethod
    def decode(cls, text: str) -> SavedCursor:
        data = json.loads(text)
        if isinstance(data.get("cursor"), str):
            # Saved by earlier versions (stock, displays): the position was a JSON text inside the object.
            data = {**json.loads(data.pop("cursor")), **data}
        markets = data.get("markets")
        return cls(Cursor(**{k: data[k] for k in _POSITION_FIELDS if k in data}),
                   observed_at=data.get("observed_at"), markets=tuple(markets) if markets is not None else None,
                   since=data.get("since"), latest=data.get("latest"))


class Start(Enum):
    """How a run starts, from the cursor its stream's last run saved."""

    FRESH = "from the start"  # nothing saved, or a cursor of another mode (the served schema changed)
    RESUME = "at the next page"  # the saved iteration did not finish (a killed or failed run)
    CONTINUE = "after the last row"  # a finished keyset iteration, continued: an incremental pull
    AGAIN = "again"  # a finished iteration not continued: a new pull from the start (or the event queue)


@dataclass(frozen=True)
class Resume:
    """Where a run starts: `cursor` goes to `client.pages` (None: from the start)."""

    kind: Start
    cursor: Cursor | None

    def describe(self) -> str:
        return f"resuming at {self.cursor.to_json()}" if self.cursor is not None else "from the start"


def resume(saved: SavedCursor | None, mode: str, log, *, incremental: bool = True) -> Resume:
    """Where this run of a stream starts, from what its last run saved.

    - nothing saved: a full pull from the start;
    - a cursor of another mode (the served schema changed): a full pull, logged as drift;
    - an unfinished iteration: resume at its next page (a killed or failed run);
    - a finished keyset iteration of an `incremental` stream: continue after its last (updatedAt, id);
    - any other finished iteration (a page-mode pull: page numbers mean nothing once rows changed; a
      fixed window re-run): a new pull from the start.
    """
    if saved is None:
        return Resume(Start.FRESH, None)
    position = saved.position
    if position.mode != mode:
        log.warning(f"stream {position.stream}: saved cursor is for {position.mode} mode but the API now offers "
                    f"{mode}; starting a full pull")
        return Resume(Start.FRESH, None)
    if not position.done:
        return Resume(Start.RESUME, position)
    if incremental and mode == KEYSET:
        return Resume(Start.CONTINUE, dataclasses.replace(position, done=False))
    return Resume(Start.AGAIN, None)
