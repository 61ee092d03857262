// Wraps the theme's doc footer (@theme-init is the classic theme's own component, so a site's
// swizzled footer still applies on top) and adds the widget under it.
import React from "react";
import Footer from "@theme-init/DocItem/Footer";
import { useDoc } from "@docusaurus/plugin-content-docs/client";
import RatingWidget from "../../../widget.js";

export default function FooterWithRating(props) {
  const { metadata } = useDoc();
  return React.createElement(
    React.Fragment,
    null,
    React.createElement(Footer, props),
    React.createElement(RatingWidget, {
      key: metadata.permalink,
      kind: "docs",
      id: metadata.id,
      permalink: metadata.permalink,
      title: metadata.title,
    })
  );
}
