"""The shared kernel: what `service` and `surveys` both build on, written once.

- `kernel.schemas`: `Input` (unknown fields refused, strings stripped, NUL characters dropped), `Output`,
  `Page[T]`.
- `kernel.clock`: `utcnow()`; every stored timestamp is timezone-aware UTC.
- `kernel.tokens`: random tokens, their stored SHA-256 digest, keys derived from the service's secret, HMAC
  signatures and constant-time comparison.
- `kernel.di`: Litestar dependency aliases shared by every handler (`DbSession`).
- `kernel.security_headers`: the headers every response carries, the Content-Security-Policy builder and the
  ASGI middleware that adds them.

Pure: it imports nothing of ours (no `service`, `surveys`, `nlp`, `demo`, `training`), only third-party
libraries; `tests/unit/test_import_graph.py` checks it.
"""
