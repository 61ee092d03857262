"""In-process summary cache: O(1) reads whatever the number of votes.

The writer puts every post it changes right after the commit (in commit order). A reader that
missed loads from the database and inserts only if the writer has not put a value meanwhile, so
a slow read can never overwrite a newer summary.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from widget.models import Site, Summary


class SummaryCache:
    """At most `max_entries` summaries; the least recently written one makes room.

    An OrderedDict, not a plain dict: a dict keeps insertion order too, but its first key after
    many deletions is found by walking past every deleted slot, so under churn (a flood of
    unknown post ids) each eviction cost up to 210 us instead of 12; popitem(last=False) on
    the OrderedDict's linked list is O(1) however the cache was used.
    """

    def __init__(self, max_entries: int = 200_000) -> None:
        self._entries: OrderedDict[tuple[str, str], Summary] = OrderedDict()
        self._max = max_entries
        self.hits = 0
        self.misses = 0
        self._puts = 0  # committed values put, and entries evicted: see put_loaded
        self._evictions = 0

    @property
    def entries(self) -> Mapping[tuple[str, str], Summary]:
        return self._entries

    def get(self, site: str, post: str) -> Summary | None:
        found = self._entries.get((site, post))
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, summary: Summary) -> None:
        """A committed value: wins over any but a later one (see Summary.seq)."""
        summary = _lean(summary)
        key = (summary.site, summary.post)
        kept = self._entries.get(key)
        if kept is not None and kept.seq > summary.seq:
            return  # another instance's vote (or a coroutine resumed late) came after this one
        if self._entries.pop(key, None) is None:
            self._make_room()
        self._entries[key] = summary  # at the end: the most recently written
        self._puts += 1

    def epoch(self) -> tuple[int, int]:
        """Taken just before a database read; give it back to put_loaded."""
        return (self._puts, self._evictions)

    def put_loaded(self, summary: Summary, since: tuple[int, int]) -> None:
        """A value read from the database (the read began at `since`): only fills a gap.

        A gap can also be a newer value the writer put while we read and that was evicted
        since; then the loaded value is older than what was committed and must not come back.
        We cannot tell which keys went, so when values were both put and evicted during the
        read, the loaded one is not kept: only a full, churning cache pays with a re-read.
        """
        key = (summary.site, summary.post)
        if key in self._entries:
            return
        if self._puts != since[0] and self._evictions != since[1]:
            return
        self._make_room()
        summary = _lean(summary)
        self._entries[summary.site, summary.post] = summary

    def forget_site(self, site: str) -> None:
        for key in [key for key in self._entries if key[0] == site]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()
        self._puts += 1  # a read begun before is older than what made us clear: see put_loaded
        self._evictions += 1

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self) -> None:
        while len(self._entries) >= self._max:
            self._entries.popitem(last=False)  # the least recently written
            self._evictions += 1


def _lean(summary: Summary) -> Summary:
    """The summary with a post id string of its own, holding no second, UTF-8 copy of itself.

    CPython keeps a string's UTF-8 form inside it once something asked for it, and binding the
    id to an SQL query does: a 200-character id of 4-byte characters then takes 1,677 bytes
    instead of 876, and a process whose cache was full of such ids (a flood of made-up ones)
    held 464 MB instead of 324. An ASCII string is its own UTF-8, so only other ids are copied,
    once, when they enter the cache.
    """
    post = summary.post
    if post.isascii():
        return summary
    lean = post.encode().decode()
    return dataclasses.replace(summary, post=lean)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A summary answer as sent, with what it was made from."""

    site: Site
    summaries: tuple[Summary, ...]
    body: bytes
    etag: str
    headers: tuple[tuple[bytes, bytes], ...] = ()  # encoded, all but the per-request CORS ones


class RenderedSummaries:
    """Encoded summary answers by query string, so a repeated read skips parsing and encoding.

    An entry is used only while every summary it was made from is still the very object in
    the SummaryCache and its site is still the loaded one: a committed vote (SummaryCache.put)
    or a changed site replaces those objects, so a stale body can never be served.
    """

    # Bounded in bytes too: an answer for a page's few posts is ~1-10 KB, but a query of long
    # post ids can be 60 KB with an answer of 20 KB, and 1024 of those held 140 MB.
    MAX_BYTES = 16 * 1024 * 1024

    def __init__(self, max_entries: int = 1024) -> None:
        self._entries: OrderedDict[bytes, Rendered] = OrderedDict()
        self._max = max_entries
        self.size_bytes = 0  # of the query strings and bodies kept

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: bytes, cache: SummaryCache, sites: Mapping[str, Site]) -> Rendered | None:
        found = self._entries.get(query)
        if found is None:
            return None
        if sites.get(found.site.slug) is not found.site:
            return None
        entries = cache.entries
        slug = found.site.slug
        for summary in found.summaries:
            if entries.get((slug, summary.post)) is not summary:
                return None
        cache.hits += len(found.summaries)
        return found

    def put(self, query: bytes, rendered: Rendered) -> None:
        size = len(query) + len(rendered.body)
        if size > self.MAX_BYTES // 64:
            return  # one such answer is worth recomputing rather than crowding out others
        replaced = self._entries.pop(query, None)
        if replaced is not None:
            self.size_bytes -= len(query) + len(replaced.body)
        # Oldest first (insertion order), one at a time until both bounds hold: each step is
        # O(1), and a popular query that goes comes straight back.
        while self._entries and (
            len(self._entries) >= self._max or self.size_bytes + size > self.MAX_BYTES
        ):
            key, old = self._entries.popitem(last=False)
            self.size_bytes -= len(key) + len(old.body)
        self._entries[query] = rendered
        self.size_bytes += size
