"""The use cases: one async function per thing a person does, written once for every surface.

Each takes the shared services, who is asking (a Caller) and typed input; runs the guard's
checks and the write; and publishes what happened (widget/events.py) after the commit. The
JSON API, the no-JavaScript frame, the dashboard and the CLI parse, call one of these, and
render; none of them writes to the store or updates a cache itself.
"""
