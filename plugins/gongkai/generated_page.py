"""A page the core generates: what the theme adapter wraps in the site's frame."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GeneratedPage:
    path: str          # directory-style site path, e.g. 'xxgk/<slug>/'
    title: str
    head: str          # page-specific <meta> tags
    content: str       # main content HTML
