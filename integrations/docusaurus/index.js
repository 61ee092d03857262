// The Docusaurus plugin: embed.js in every page's <head>, and (through the two theme
// components under theme/) a widget under every doc and every blog post. Plain CommonJS and
// React.createElement, so it runs from node_modules without a build step of its own.
const path = require("path");

const NAME = "docusaurus-plugin-rating-widget";

module.exports = function ratingWidget(context, options = {}) {
  const server = String(options.server || "").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(server)) {
    throw new Error(`${NAME}: set the "server" option to your Rating Widget service, e.g. https://ratings.example.org`);
  }
  const settings = {
    site: options.site || "default",
    // "path": the page's URL path (what embed.js uses without data-post); "id": the doc's id.
    postId: options.postId === "id" ? "id" : "path",
    docs: options.docs !== false,
    blog: options.blog !== false,
  };
  return {
    name: NAME,
    getThemePath() {
      return path.join(__dirname, "theme");
    },
    async contentLoaded({ actions }) {
      actions.setGlobalData(settings);
    },
    injectHtmlTags() {
      return {
        headTags: [{ tagName: "script", attributes: { src: `${server}/embed.js`, async: true } }],
      };
    },
  };
};
