"""Pagination: the iterator over plain lists (limit/page, in keyset or page mode).

It yields ``Page`` objects whose ``cursor`` says where the next page starts; ``cursor.to_json()``
can be stored (in ``sync_state``, with the rows of that page) and handed back to resume with no
request for earlier pages.

The next page is requested while the caller works on the current one (one page ahead, never after
the last page): Centra's answer time then overlaps our validation and upsert instead of adding to
it. Requests stay exactly those of a plain loop, but for the one page in flight when the caller
stops early; a killed run never wrote that page, so the next run fetches it again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from centra_pipelines.centra.stats import Stats

if TYPE_CHECKING:
    from centra_pipelines.centra.client import CentraClient
    from centra_pipelines.centra.streams import Stream


@dataclass(frozen=True)
class Cursor:
    """Where an iteration continues. ``mode`` is "keyset", "pages" or "connection"."""

    stream: str
    mode: str
    page: int = 1  # next page number (pages; keyset: page within the same updated_from)
    after: str | None = None  # connection: endCursor of the last page
    updated_from: str | None = None  # keyset: updatedAt.from of the next request
    last_updated_at: str | None = None  # keyset: rows at or before (last_updated_at, last_id) are dropped
    last_id: int | str | None = None
    done: bool = False  # the iteration reached its end

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Cursor:
        return cls(**json.loads(text))

    @classmethod
    def coerce(cls, value: Cursor | str | None) -> Cursor | None:
        return cls.from_json(value) if isinstance(value, str) else value


@dataclass
class Page:
    rows: list[dict[str, Any]]
    cursor: Cursor  # resume here to get the page after this one
    number: int  # 1-based: the Centra page number (pages mode), else the sequence of this iteration
    stats: Stats  # the iteration's running totals after this page
    done: bool = False
    total: int | None = None  # totalCount, when the API reports it
    server_time: datetime | None = None  # Centra's clock when it answered this page's request


def instant(value: str) -> datetime:
    """updatedAt as an instant. Some stores render local time without an offset; read those as UTC
    (a row misplaced by a few hours is re-read, never skipped, since we drop only rows before the cursor
    in the server's own order when timestamps agree)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class ListPages:
    """Iterate a plain list field page by page, in keyset or page mode (see ``CentraClient.pages``)."""

    client: CentraClient
    stream: Stream
    mode: str
    sort: list[str]
    where: dict[str, Any] | None = None
    limit: int | None = None
    cursor: Cursor | str | None = None
    since: str | None = None
    variables: dict[str, Any] | None = None  # further variables of the document (e.g. a warehouse $id)
    stats: Stats = field(default_factory=Stats)
    _answered: datetime | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.limit = min(self.limit or self.stream.page_cap, self.stream.page_cap)
        self.cursor = Cursor.coerce(self.cursor)
        if self.cursor is not None and (self.cursor.stream != self.stream.name or self.cursor.mode != self.mode):
            raise ValueError(
                f"cursor is for {self.cursor.stream}/{self.cursor.mode}, not {self.stream.name}/{self.mode}; "
                "the served schema changed since it was saved: start a full pull"
            )

    def __iter__(self) -> Iterator[Page]:
        if self.mode == "whole":
            return self._whole()
        return _one_ahead(self._keyset() if self.mode == "keyset" else self._pages())

    def _fetch(self, where: dict[str, Any] | None, page: int, *, whole: bool = False) -> list[dict[str, Any]]:
        variables: dict[str, Any] = dict(self.variables or {})
        if not whole:
            variables.update(limit=self.limit, page=page)
        if self.sort:
            variables["sort"] = self.sort
        if where:
            variables["where"] = where
        result = self.client.execute(self.stream.whole_query if whole else self.stream.query, variables)
        self.stats.add(result.stats)
        self._answered = result.server_time
        rows: Any = result.data
        for name in self.stream.field.split("."):  # a root list, or a list nested in one object
            rows = (rows or {}).get(name)
        return rows or []

    def _emit(self, rows: list[dict[str, Any]], cursor: Cursor, number: int) -> Page:
        self.stats.rows += len(rows)
        self.stats.pages += 1
        self.cursor = cursor
        return Page(rows, cursor, number, self.stats.copy(), cursor.done, server_time=self._answered)

    def _pages(self) -> Iterator[Page]:
        start = self.cursor or Cursor(self.stream.name, "pages")
        page = start.page
        while not start.done:
            rows = self._fetch(self.where, page)
            done = len(rows) < self.limit
            yield self._emit(rows, Cursor(self.stream.name, "pages", page=page + 1, done=done), page)
            if done:
                return
            page += 1

    def _whole(self) -> Iterator[Page]:
        """A list the schema offers without limit/page: one request, one page (nothing to resume)."""
        if self.cursor is not None and self.cursor.done:
            return
        rows = self._fetch(None, 1, whole=True)
        yield self._emit(rows, Cursor(self.stream.name, "whole", page=2, done=True), 1)

    def _keyset(self) -> Iterator[Page]:
        """where updatedAt.from = F, sort [updatedAt_ASC, id], drop rows at or before the last row seen.

        The next request normally restarts at page 1 from the last row's updatedAt, so rows
        updated during the pull move behind us rather than shifting pages under us. When a full
        page holds a single updatedAt (many rows changed in one second), we page forward instead.
        """
        c = self.cursor or Cursor(self.stream.name, "keyset", updated_from=self.since)
        updated_from, page, done = c.updated_from, c.page, c.done
        last = (instant(c.last_updated_at), c.last_id) if c.last_updated_at else None
        last_raw = c.last_updated_at
        number = 0
        while not done:
            where = dict(self.where or {})
            if updated_from:
                where["updatedAt"] = {**where.get("updatedAt", {}), "from": updated_from}
            rows = self._fetch(where, page)
            id_key = self.stream.id_key
            fresh = [r for r in rows if last is None or (instant(r["updatedAt"]), r[id_key]) > last]
            done = len(rows) < self.limit
            if rows:
                tail = (instant(rows[-1]["updatedAt"]), rows[-1][id_key])
                if last is None or tail > last:
                    last, last_raw = tail, rows[-1]["updatedAt"]
                if updated_from and tail[0] == instant(updated_from):
                    page += 1  # the whole page shares one updatedAt: step past it within the same from
                else:
                    updated_from, page = rows[-1]["updatedAt"], 1
            number += 1
            cursor = Cursor(self.stream.name, "keyset", page=page, updated_from=updated_from,
                            last_updated_at=last_raw, last_id=last[1] if last else None, done=done)
            yield self._emit(fresh, cursor, number)


def _one_ahead(pages: Iterator[Page]) -> Iterator[Page]:
    """`pages`, with the next page fetched (in a worker thread) while the caller holds the current one."""
    with ThreadPoolExecutor(1, thread_name_prefix="centra-next-page") as worker:
        ahead = worker.submit(next, pages, None)
        while (page := ahead.result()) is not None:
            if not page.done:
                ahead = worker.submit(next, pages, None)
            yield page
            if page.done:
                return


def pull_all(client: CentraClient, stream: str, **kwargs) -> list[dict]:
    """Every row of a (small) list stream."""
    return [row for page in client.pages(stream, **kwargs) for row in page.rows]
