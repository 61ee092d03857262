// The example site the suite builds: RATING_WIDGET_URL is the widget server the test started,
// SITE_URL where it serves the build (Docusaurus writes it into each page's canonical link).
module.exports = {
  title: "Field guide",
  url: process.env.SITE_URL || "http://127.0.0.1",
  favicon: "img/favicon.svg",
  baseUrl: "/",
  onBrokenLinks: "throw",
  presets: [
    [
      "classic",
      {
        docs: { sidebarPath: require.resolve("./sidebars.js"), routeBasePath: "docs" },
        blog: { showReadingTime: false, onUntruncatedBlogPosts: "ignore" },
        theme: {},
      },
    ],
  ],
  plugins: [
    ["docusaurus-plugin-rating-widget", { server: process.env.RATING_WIDGET_URL || "http://127.0.0.1:8000" }],
  ],
  themeConfig: { colorMode: { defaultMode: "light", respectPrefersColorScheme: false } },
};
