import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";

/** An email body: HTML and its plain-text version. */
export interface RenderedBody {
  html: string;
  text: string;
}

/** The plain text of an email's HTML; the one set of html-to-text options every path uses. */
export function htmlToText(html: string): string {
  return toPlainText(html);
}

/**
 * Renders a tree with React and derives its plain text: the reference output. One React render; the
 * plain text comes from its HTML (what render(…, { plainText }) does after rendering the tree again).
 */
export async function renderFresh(element: ReactElement): Promise<RenderedBody> {
  const html = await render(element);
  return { html, text: htmlToText(html) };
}
