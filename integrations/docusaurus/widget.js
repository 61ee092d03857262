// The one element embed.js looks for. It mounts and unmounts by itself when the router swaps
// pages (a MutationObserver in embed.js), so there is no effect to run here; the key gives
// every page its own element. The theme is left to embed.js, which follows the colour mode
// Docusaurus sets on <html data-theme>.
import React from "react";
import { usePluginData } from "@docusaurus/useGlobalData";

export default function RatingWidget({ id, permalink, title, kind }) {
  const settings = usePluginData("docusaurus-plugin-rating-widget");
  if (!settings || !settings[kind]) return null;
  const post = settings.postId === "id" && id ? id : permalink;
  return React.createElement("div", {
    key: post,
    className: "rating-widget",
    style: { marginTop: "2rem" },
    "data-rating-widget": "",
    "data-site": settings.site,
    "data-post": post,
    "data-title": title,
  });
}
