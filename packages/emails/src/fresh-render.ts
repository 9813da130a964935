import { dirname, join } from "node:path";
import { toPlainText } from "@react-email/render";
import type { ReactElement } from "react";

// The edge build renders the same HTML without the node build's AsyncLocalStorage, which slows every
// await of the process; no export condition reaches it, hence the file path.
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
