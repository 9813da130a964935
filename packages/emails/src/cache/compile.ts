import { createElement, type ReactNode } from "react";
import { renderFresh } from "../fresh-render";
import type { EmailView } from "../templates/view";
import type { SlottedString } from "./template-string";

/** The maximum preview length of @react-email's <Preview>: longer text is cut, shorter is padded. */
export const PREVIEW_MAX_LENGTH = 150;

/** One template at one shape (set of present view keys), rendered once with placeholders. */
export interface CompiledEmail {
  /** The present view keys; placeholder i stands for keys[i]. */
  readonly keys: readonly string[];
  readonly html: SlottedString;
  readonly text: SlottedString;
  /** Index of `preview`, whose HTML slot also holds <Preview>'s length-dependent padding. */
  readonly previewIndex: number;
  /** The padding unit <Preview> repeats (PREVIEW_MAX_LENGTH − length) times after shorter text. */
  readonly previewFiller: string;
  /** Keys whose value sits in an attribute (href): html-to-text compares those with link text. */
  readonly attributeIndexes: ReadonlySet<number>;
  /** Keys whose value appears in the plain text. */
  readonly textIndexes: ReadonlySet<number>;
}

// Alphanumeric, so React's escaping, html-to-text (entities, whitespace, link handling) and URL
// attributes all leave them intact; the repeated index keeps `zqx1tok1zqx` from matching inside
// `zqx11tok11zqx`.
const token = (i: number): string => `zqx${i}tok${i}zqx`;
const TOKEN = /zqx(\d+)tok\1zqx/g;
const TOKEN_ANY_CASE = /zqx\d+tok\d+zqx/gi;

function insideTag(html: string, at: number): boolean {
  return html.lastIndexOf("<", at) > html.lastIndexOf(">", at);
}

/**
 * Renders `Component` once with a placeholder per present key and cuts its HTML and text at them.
 * Returns null when the output is not of a shape this cache can fill exactly (a placeholder
 * transformed, the preview not where <Preview> puts it…): callers then render afresh.
 */
export async function compileEmail(Component: (view: EmailView) => ReactNode, keys: readonly string[]): Promise<CompiledEmail | null> {
  const previewIndex = keys.indexOf("preview");
  if (previewIndex < 0) return null;
  const placeholders = Object.fromEntries(keys.map((key, i) => [key, token(i)])) as EmailView;
  const { html, text } = await renderFresh(createElement(Component, placeholders));

  const htmlParts: string[] = [];
  const htmlSlots: number[] = [];
  const attributeIndexes = new Set<number>();
  let previewFiller: string | undefined;
  let from = 0;
  for (const match of html.matchAll(TOKEN)) {
    const index = Number(match[1]);
    let end = match.index + match[0].length;
    if (insideTag(html, match.index)) {
      // Only whole href values are supported: their text form depends on the value (see fill.ts).
      if (!html.startsWith('href="', match.index - 6) || html[end] !== '"') return null;
      attributeIndexes.add(index);
    }
    if (index === previewIndex) {
      // <Preview> pads shorter text with (MAX − length) filler units in a <div>: the slot takes it.
      if (previewFiller !== undefined || attributeIndexes.has(index)) return null;
      const padding = /^<div>([^<]*)<\/div>/.exec(html.slice(end));
      const units = PREVIEW_MAX_LENGTH - match[0].length;
      const filler = padding?.[1] ?? "";
      const unit = filler.slice(0, filler.length / units);
      if (!padding || unit === "" || unit.repeat(units) !== filler) return null;
      previewFiller = unit;
      end += padding[0].length;
    }
    htmlParts.push(html.slice(from, match.index));
    htmlSlots.push(index);
    from = end;
  }
  htmlParts.push(html.slice(from));
  if (previewFiller === undefined) return null;

  const textParts: string[] = [];
  const textSlots: number[] = [];
  from = 0;
  for (const match of text.matchAll(TOKEN)) {
    textParts.push(text.slice(from, match.index));
    textSlots.push(Number(match[1]));
    from = match.index + match[0].length;
  }
  textParts.push(text.slice(from));
  // A placeholder html-to-text changed (uppercased in a heading, say) would go unfilled: refuse.
  if ((text.match(TOKEN_ANY_CASE)?.length ?? 0) !== textSlots.length || textSlots.includes(previewIndex)) return null;

  return {
    keys,
    html: { parts: htmlParts, slots: htmlSlots },
    text: { parts: textParts, slots: textSlots },
    previewIndex,
    previewFiller,
    attributeIndexes,
    textIndexes: new Set(textSlots),
  };
}
