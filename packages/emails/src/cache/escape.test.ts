import { render } from "@react-email/render";
import { createElement } from "react";
import { escapeHtml } from "./escape";

it("escapes text and attribute values exactly as React does", async () => {
  const all = Array.from({ length: 0x250 }, (_, code) => String.fromCharCode(code)).join("") + "🎉 &amp; \"'<>";
  for (const value of [all, "plain", "a&b", "'\"'"]) {
    const html = await render(createElement("a", { title: value }, value));
    // render() wraps the element in Suspense markers: compare the <a> alone.
    expect(html.slice(html.indexOf("<a "), html.lastIndexOf("</a>") + 4)).toBe(`<a title="${escapeHtml(value)}">${escapeHtml(value)}</a>`);
  }
});
