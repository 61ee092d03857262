// The blog post's footer with the widget under it, on the post's own page only (the blog's
// list pages show the same footer for every excerpt).
import React from "react";
import Footer from "@theme-init/BlogPostItem/Footer";
import { useBlogPost } from "@docusaurus/plugin-content-blog/client";
import RatingWidget from "../../../widget.js";

export default function FooterWithRating(props) {
  const { metadata, isBlogPostPage } = useBlogPost();
  const footer = React.createElement(Footer, props);
  if (!isBlogPostPage) return footer;
  return React.createElement(
    React.Fragment,
    null,
    footer,
    React.createElement(RatingWidget, {
      key: metadata.permalink,
      kind: "blog",
      permalink: metadata.permalink,
      title: metadata.title,
    })
  );
}
