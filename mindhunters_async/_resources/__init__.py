"""Resources: one module per group of endpoints, a thin layer over `AsyncMindhunters._request`."""

from .calls import Calls

__all__ = ["Calls"]
