"""Time helpers: every stored timestamp is timezone-aware UTC. `utcnow` is the kernel's (`kernel.clock`),
named here too for the service's modules."""

from kernel.clock import utcnow

__all__ = ["utcnow"]
