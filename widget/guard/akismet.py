"""An optional second opinion on feedback from Akismet's public comment-check API.

Used only when WIDGET_AKISMET_KEY is set. It sends the reader's address, User-Agent and text to
Akismet (Automattic) — the operator opts into that, and SECURITY.md says so. Nothing Akismet
sends back is stored besides the spam score. When Akismet is slow, down or refuses the key, the
local score stands alone: a reader's feedback is never lost to a third party's outage.
"""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger("widget.akismet")

TIMEOUT_SECONDS = 3.0


class Akismet:
    def __init__(self, key: str, base_url: str, client: httpx.AsyncClient | None = None) -> None:
        self.key = key
        self.endpoint = base_url.rstrip("/") + "/comment-check"
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT_SECONDS)

    async def is_spam(
        self,
        *,
        blog: str,
        user_ip: str,
        user_agent: str,
        text: str,
        lang: str | None,
        permalink: str | None = None,
    ) -> bool | None:
        """True or False as Akismet judges; None when it could not answer."""
        form = {
            "api_key": self.key,
            "blog": blog,
            "user_ip": user_ip,
            "user_agent": user_agent,
            "comment_type": "contact-form",
            "comment_content": text,
        }
        if lang:
            form["blog_lang"] = lang
        if permalink:
            form["permalink"] = permalink
        try:
            response = await self._client.post(self.endpoint, data=form)
        except httpx.HTTPError as exc:
            log.warning("Akismet did not answer (%s); using the local score only", exc)
            return None
        answer = response.text.strip()
        if response.status_code == 200 and answer in ("true", "false"):
            return answer == "true"
        log.warning(
            "Akismet answered %s %r (%s); using the local score only",
            response.status_code,
            answer[:40],
            response.headers.get("x-akismet-debug-help", "no hint"),
        )
        return None

    async def close(self) -> None:
        await self._client.aclose()
