"""In-process summary cache: O(1) reads whatever the number of votes.

The writer puts every post it changes right after the commit (in commit order). A reader that
missed loads from the database and inserts only if the writer has not put a value meanwhile, so
a slow read can never overwrite a newer summary.
"""

from __future__ import annotations

from widget.models import Summary


class SummaryCache:
    def __init__(self, max_entries: int = 200_000) -> None:
        self._entries: dict[tuple[str, str], Summary] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def get(self, site: str, post: str) -> Summary | None:
        found = self._entries.get((site, post))
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, summary: Summary) -> None:
        """A committed value: always wins."""
        key = (summary.site, summary.post)
        self._entries.pop(key, None)
        self._make_room()
        self._entries[key] = summary

    def put_loaded(self, summary: Summary) -> None:
        """A value read from the database: only fills a gap."""
        key = (summary.site, summary.post)
        if key not in self._entries:
            self._make_room()
            self._entries[key] = summary

    def forget_site(self, site: str) -> None:
        for key in [key for key in self._entries if key[0] == site]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _make_room(self) -> None:
        # Dicts keep insertion order, so the first key is the least recently written.
        while len(self._entries) >= self._max:
            del self._entries[next(iter(self._entries))]
