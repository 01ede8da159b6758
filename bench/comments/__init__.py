"""Load benchmark of the comments API beside Isso and a bare FastAPI yardstick.

``python -m bench.comments`` (``--quick`` for a short run, ``--json`` for the
main bench's report). Everything runs on 127.0.0.1 and is bounded in time.
"""
