"""gongkai (公开): a static-site generator for 政务公开 portals.

The core (model, loading, checks, calendar, rendering of generated pages) is plain
Python; `mkdocs_plugin` and `cli` are thin adapters over it.
"""

__version__ = "0.1.0"
