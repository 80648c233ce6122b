"""The service's request/response building blocks are the kernel's: `Input` (unknown fields forbidden,
strings stripped, NUL characters dropped), `Output`, `Page[T]`. Defined once in `kernel.schemas`; named here
too so that a domain's schemas import them from their own package."""

from __future__ import annotations

from kernel.schemas import Input, Output, Page

__all__ = ["Input", "Output", "Page"]
