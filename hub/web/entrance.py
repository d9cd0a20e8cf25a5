"""The coordinators' mobile entrance (村居协办员手机端) at ``/app/``.

A small web app in Chinese for a village coordinator's phone: plain ES modules,
no framework and no build step (README, "The coordinators' mobile entrance").
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from certhub.hub.web.pages import StaticPages, page_routes

__all__ = ["PREFIX", "entrance_pages", "routes"]

PREFIX = "/app"


def entrance_pages() -> StaticPages:
    """The entrance's files, read from the package."""
    return StaticPages(resources.files("certhub.hub.web") / "entrance")


routes: web.RouteTableDef = page_routes(PREFIX, entrance_pages())
