"""POST and DELETE /api/v1/votes as a raw ASGI app: the hottest write, without Request objects.

Measured under Granian on one core, a bare Starlette route that reads a JSON body served 11,000
requests/s where the same work as a raw ASGI app served 19,000: Starlette's request stream and
the send wrappers of its exception middlewares cost more than a vote's own Python work. This
app does all a route would (crawler check, rate limit, size-limited JSON, origin check, the
write) and answers every refusal in the error envelope itself. fastpath.py calls `answer`
before any middleware; the router reaches the same code through `__call__`, so there is one
implementation whichever way a request comes.
"""

from __future__ import annotations

from json.encoder import encode_basestring as _text

from starlette.types import Receive, Scope, Send

from widget.actions import votes as actions
from widget.actions.services import Services
from widget.errors import OriginNotAllowed, WidgetError
from widget.guard.caller import caller_of
from widget.http.answers import json_error
from widget.http.api.plumbing import (
    JSON_TYPE,
    VOTE_BODY_BYTES,
    WITHDRAW_BODY_BYTES,
    body_limit,
    cors_for_errors,
    cors_headers,
    encoded,
    receive_json,
)
from widget.models import VoteResult, parse_vote, parse_withdraw

Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, bytes, Headers]
# The request headers this endpoint reads; one pass over the list picks them out.
_WANTED = frozenset((b"content-type", b"content-length", b"origin", b"user-agent"))


def vote_answer(result: VoteResult) -> bytes:
    """The answer's JSON, as `dumps({**summary.as_dict(), "your_vote": ...})` would write it,
    in a third of the time: one format string, the two texts escaped by json's own encoder."""
    summary, d = result.summary, result.summary.distribution
    mine = "null" if result.your_vote is None else str(int(result.your_vote))
    return (
        f'{{"site":{_text(summary.site)},"post":{_text(summary.post)},'
        f'"average":{summary.average!r},"count":{summary.count:d},'
        f'"distribution":[{d[0]:d},{d[1]:d},{d[2]:d},{d[3]:d},{d[4]:d}],"your_vote":{mine}}}'
    ).encode()


class VotesEndpoint:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, body, headers = await self.answer(scope["app"].state.services, scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def answer(self, svc: Services, scope: Scope, receive: Receive) -> Answer:
        """The status, body and headers of the answer, refusals included; raises only on a
        crash (a bug) or when the body did not arrive whole (starlette's ClientDisconnect)."""
        found = {k: v.decode("latin-1") for k, v in scope["headers"] if k in _WANTED}
        origin = found.get(b"origin")
        try:
            caller = caller_of(svc.guard, scope)
            casting = scope["method"] == "POST"
            limit = body_limit(svc, VOTE_BODY_BYTES if casting else WITHDRAW_BODY_BYTES)
            data = await receive_json(
                receive, found.get(b"content-type"), found.get(b"content-length"), limit
            )
            if casting:
                vote = parse_vote(data)
                result = await actions.cast_vote(svc, caller, vote)
                site_slug = vote.site
            else:
                site_slug, post, voter = parse_withdraw(data)
                result = await actions.withdraw_vote(svc, caller, site_slug, post, voter)
        except WidgetError as error:
            status, body, headers = json_error(error)
            if not isinstance(error, OriginNotAllowed):
                headers += encoded(cors_for_errors(svc.sites.values(), origin, error))
            return status, body, headers
        return _answer(200, vote_answer(result), cors_headers(svc.site(site_slug), origin))


def _answer(status: int, body: bytes, headers: dict[str, str]) -> Answer:
    length = (b"content-length", str(len(body)).encode())
    return status, body, [JSON_TYPE, length, *encoded(headers)]
