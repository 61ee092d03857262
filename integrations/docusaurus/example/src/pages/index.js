import React from "react";
import Link from "@docusaurus/Link";
import Layout from "@theme/Layout";

export default function Home() {
  return React.createElement(Layout, { title: "Home" }, React.createElement("main", { style: { padding: "2rem" } }, React.createElement(Link, { to: "/docs/landing" }, "Read the guide")));
}
