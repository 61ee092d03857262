"""The voter token of the no-JavaScript frame.

The frame's plain HTML form cannot read the host page's localStorage, and the service sets no
cookies, so the token is derived on the server from what the request already carries:
HMAC(secret key, day + client address + user agent). It is stable for one browser on one
network for one UTC day (a reader can change or withdraw a vote made in the frame that day), it
is never stored (only voter_key() of it is, like any token), and without the secret key it
cannot be linked back to an address. Readers behind one address with the same browser build
share it: for them the frame counts one vote per post per day, which errs on the side of fewer
votes rather than stuffed ones.
"""

from __future__ import annotations

import hashlib
import hmac


def frame_voter_token(secret: str, address: str, user_agent: str, day: int) -> str:
    """32 URL-safe characters, a valid voter token for the vote and feedback paths."""
    message = f"frame-voter\n{day}\n{address}\n{user_agent}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]
