"""Adds the widget's element under each page's content and embed.js to every page's head.

Material's instant navigation swaps the content without reloading the page; embed.js notices
the new element (it watches the page) and mounts it, so the plugin needs no JavaScript of its
own. The post id is the page's URL path, the same one embed.js would pick on its own.
"""

from __future__ import annotations

from html import escape
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin


class RatingWidgetConfig(Config):
    server = config_options.Type(str, default="")
    site = config_options.Type(str, default="default")
    # Pages that get no widget, by their source path (e.g. "index.md").
    exclude = config_options.ListOfItems(config_options.Type(str), default=[])


class RatingWidgetPlugin(BasePlugin[RatingWidgetConfig]):
    def on_config(self, config: Any) -> Any:
        server = self.config.server.rstrip("/")
        if not server.startswith(("http://", "https://")):
            raise PluginError(
                "rating-widget: set `server` to your Rating Widget service,"
                " e.g. https://ratings.example.org"
            )
        self.server = server
        return config

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        if page.file.src_uri in self.config.exclude:
            return html
        post = page.abs_url or "/" + page.url
        widget = (
            f'<div class="rating-widget" data-rating-widget data-site="{escape(self.config.site)}"'
            f' data-post="{escape(post)}" data-title="{escape(page.title or "")}"'
            ' style="margin-top:2rem"></div>'
        )
        return html + widget

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        script = f'<script src="{escape(self.server)}/embed.js" async></script>'
        return output.replace("</head>", script + "</head>", 1)
