"""The embed code per ecosystem, as the settings page shows it (one tab each).

Pure: the service's public address and the site's slug in, snippets out. Each is what its user
pastes, no more; the integrations themselves live in integrations/ (README "Integrations").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    key: str  # the tab's id, and the name of the help text: embed_where_<key>
    label: str | None  # a product name; None: the tab's label is translated (embed_tab_<key>)
    code: str


def snippets(base: str, site: str, post_placeholder: str) -> list[Snippet]:
    site_attr = "" if site == "default" else f' data-site="{site}"'
    site_option = "" if site == "default" else f', site: "{site}"'
    html = (
        f'<div data-rating-widget{site_attr} data-post="{post_placeholder}"></div>\n'
        f'<script src="{base}/embed.js" async></script>'
    )
    docusaurus = (
        "npm install ./integrations/docusaurus   # from a Rating Widget checkout\n\n"
        "// docusaurus.config.js\n"
        f'plugins: [["docusaurus-plugin-rating-widget", {{ server: "{base}"{site_option} }}]],'
    )
    mkdocs = (
        "pip install ./integrations/mkdocs   # from a Rating Widget checkout\n\n"
        "# mkdocs.yml\n"
        "plugins:\n"
        "  - search\n"
        "  - rating-widget:\n"
        f"      server: {base}\n" + (f"      site: {site}\n" if site != "default" else "")
    ).rstrip("\n")
    hugo = (
        "# hugo.toml (integrations/hugo copied to themes/rating-widget)\n"
        "[[module.imports]]\n"
        '  path = "rating-widget"\n'
        "[params.ratingWidget]\n"
        f'  server = "{base}"\n'
        f'  site = "{site}"\n'
        "[caches.getresource]\n"
        '  maxAge = "10m"\n\n'
        "<!-- layouts/_default/single.html, where the stars go -->\n"
        '{{ partial "rating-widget.html" . }}'
    )
    jekyll = (
        "# _config.yml\n"
        "rating_widget:\n"
        f'  server: "{base}"\n'
        f'  site: "{site}"\n\n'
        "<!-- _layouts/post.html, where the stars go -->\n"
        "{% include rating-widget.html %}"
    )
    wordpress = (
        "// The stars under every post; [rating_widget] puts them elsewhere.\n"
        "function rating_widget_markup() {\n"
        "  $post = get_post();\n"
        "  return sprintf(\n"
        f'    \'<div data-rating-widget data-site="{site}" data-post="%s"'
        ' data-title="%s" data-url="%s"></div>\',\n'
        "    esc_attr($post->ID), esc_attr(get_the_title($post)), esc_url(get_permalink($post))\n"
        "  );\n"
        "}\n"
        "add_shortcode('rating_widget', 'rating_widget_markup');\n"
        "add_filter('the_content', function ($content) {\n"
        "  if (is_singular('post') && in_the_loop() && is_main_query()\n"
        "      && !has_shortcode($content, 'rating_widget')) {\n"
        "    $content .= rating_widget_markup();\n"
        "  }\n"
        "  return $content;\n"
        "});\n"
        "add_action('wp_enqueue_scripts', function () {\n"
        f"  wp_enqueue_script('rating-widget', '{base}/embed.js', [], null,"
        " ['strategy' => 'async']);\n"
        "});"
    )
    ghost = (
        "<script>\n"
        "  // After the post's content, on post pages only; the post id is the canonical path.\n"
        '  document.addEventListener("DOMContentLoaded", function () {\n'
        '    var content = document.querySelector(".post-template .gh-content");\n'
        "    if (!content) return;\n"
        '    var box = document.createElement("div");\n'
        '    box.setAttribute("data-rating-widget", "");\n'
        f'    box.dataset.site = "{site}";\n'
        "    content.after(box);\n"
        "  });\n"
        "</script>\n"
        f'<script src="{base}/embed.js" async></script>'
    )
    return [
        Snippet("html", None, html),
        Snippet("docusaurus", "Docusaurus", docusaurus),
        Snippet("mkdocs", "MkDocs", mkdocs),
        Snippet("hugo", "Hugo", hugo),
        Snippet("jekyll", "Jekyll", jekyll),
        Snippet("wordpress", "WordPress", wordpress),
        Snippet("ghost", "Ghost", ghost),
    ]
