import { dirname, join } from "node:path";
import { toPlainText } from "@react-email/render";
import type { ReactElement } from "react";

// @react-email/render's node build renders through react-dom's node server, which runs each render
// in an AsyncLocalStorage: from the first render on, Node 20 puts promise hooks on every await of
// the process (measured: 0.19 → 0.54 µs per await, ~4% of the email worker's CPU). Its edge build
// renders the same HTML through react-dom/server.edge, which uses no AsyncLocalStorage on Node.
// The edge build is not reachable through the package's export conditions, hence the file path.
const edgeBuild = join(dirname(require.resolve("@react-email/render")), "../edge/index.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a file path outside the package's exports
const { render } = require(edgeBuild) as typeof import("@react-email/render");

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
