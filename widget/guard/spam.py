"""Telling scripted feedback and crawlers from readers, with simple signals that add up.

Each signal adds to a score; at SPAM_AT or above the feedback is stored with status `spam`:
kept for the author to review in the inbox (where a false positive can be rescued), never
shown as new and never silently dropped. The reader always sees the same answer, so a spammer
learns nothing from it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from widget.models import FeedbackInput

SPAM_AT = 1.0

HONEYPOT = 1.0  # a field hidden from people was filled in: only scripts do that
TOO_FAST = 0.6  # the form was sent sooner than anyone could read and type
NO_TIMING = 0.3  # the embed always reports how long the form was open; scripts often do not
PER_EXTRA_LINK = 0.4  # each link over the allowed number
MARKUP_LINK = 0.7  # BBCode or HTML links: written for forums, not for our plain text box
PER_REPEAT = 0.5  # each copy of the same longer text beyond REPEATS_ALLOWED in a day
CRAWLER = 1.0  # a crawler's User-Agent
LONG_ENOUGH_TO_REPEAT = 24  # short texts ("outdated", "thanks!") repeat innocently
REPEATS_ALLOWED = 2

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_MARKUP = re.compile(r"(?i)\[url[=\]]|<a\s+href|\[link[=\]]")
# Crawlers name themselves; phones whose model ends in "bot" (Cubot) do not count.
_CRAWLER = re.compile(
    r"(?i)(?<!cu)bot\b|bot/|crawl|spider|slurp|facebookexternalhit|ia_archiver|"
    r"mediapartners|bingpreview|embedly|scrapy|httrack|wget/"
)


def is_crawler(user_agent: str | None) -> bool:
    """True for User-Agents of crawlers and link previewers; a missing one is not judged."""
    return bool(user_agent) and _CRAWLER.search(user_agent or "") is not None


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float
    signals: tuple[str, ...]

    @property
    def is_spam(self) -> bool:
        return self.score >= SPAM_AT

    @property
    def status(self) -> str:
        return "spam" if self.is_spam else "new"

    def plus(self, weight: float, signal: str) -> Verdict:
        return Verdict(round(self.score + weight, 2), (*self.signals, signal))


class RecentTexts:
    """How often each longer text was seen lately, in bounded memory (fingerprints only)."""

    def __init__(self, window_seconds: float = 86400, max_entries: int = 10_000) -> None:
        self.window = window_seconds
        self.max_entries = max_entries
        self._seen: dict[bytes, tuple[int, float]] = {}

    def count(self, text: str, now: float) -> int:
        """Record one more sighting of text; return how many times it was seen in the window."""
        fingerprint = hashlib.blake2b(_normalize(text).encode(), digest_size=12).digest()
        found = self._seen.pop(fingerprint, None)
        times = 1 if found is None or now - found[1] > self.window else found[0] + 1
        first = now if found is None or times == 1 else found[1]
        if len(self._seen) >= self.max_entries:
            del self._seen[next(iter(self._seen))]
        self._seen[fingerprint] = (times, first)
        return times


def _normalize(text: str) -> str:
    """Case, spacing, digits and punctuation vary between copies of the same spam."""
    return re.sub(r"[\W\d_]+", " ", text.lower()).strip()


def score_feedback(
    item: FeedbackInput,
    *,
    user_agent: str | None,
    recent: RecentTexts,
    now: float,
    min_open_ms: int,
    max_links: int,
) -> Verdict:
    verdict = Verdict(0.0, ())
    if item.honeypot:
        verdict = verdict.plus(HONEYPOT, "honeypot")
    if item.open_ms is None:
        verdict = verdict.plus(NO_TIMING, "no_timing")
    elif item.open_ms < min_open_ms:
        verdict = verdict.plus(TOO_FAST, "too_fast")
    links = len(_LINK.findall(item.text))
    if links > max_links:
        verdict = verdict.plus(PER_EXTRA_LINK * (links - max_links), "links")
    if _MARKUP.search(item.text):
        verdict = verdict.plus(MARKUP_LINK, "markup")
    if is_crawler(user_agent):
        verdict = verdict.plus(CRAWLER, "crawler")
    if len(_normalize(item.text)) >= LONG_ENOUGH_TO_REPEAT:
        copies = recent.count(item.text, now)
        if copies > REPEATS_ALLOWED:
            verdict = verdict.plus(PER_REPEAT * (copies - REPEATS_ALLOWED), "repeated")
    return verdict
