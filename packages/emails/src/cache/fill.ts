import { htmlToText, type RenderedBody } from "../fresh-render";
import type { EmailView } from "../templates/view";
import { PREVIEW_MAX_LENGTH, type CompiledEmail } from "./compile";
import { escapeHtml } from "./escape";
import { fillSlots } from "./template-string";

// React encodes its output as UTF-8, which turns a lone surrogate into U+FFFD — or pairs it with a
// neighbour's. Rare enough to leave to a fresh render.
const LONE_SURROGATE = /\p{Cs}/u;
const HIGH_SURROGATE_AT_END = /[\ud800-\udbff]$/;
// React replaces javascript: hrefs; the schemas only let http(s) through, but check what we skip.
const HTTP_URL = /^https?:\/\//i;
// html-to-text collapses runs of these (and trims them at block edges), and compares an href with
// its link's text with the whitespace removed: values holding any of them, or a double or edge
// space, could come out differently in the text.
const TEXT_LAYOUT_HAZARD = /[\x00-\x1f\x7f\u200b]|  |^ | $/;
const ATTRIBUTE_TEXT_HAZARD = /[\s\x00-\x1f\x7f\u200b]/;

/** <Preview>'s HTML for `preview`: the text cut to the maximum, then padding up to it. */
function previewHtml(preview: string, filler: string): string {
  let cut = preview.substring(0, PREVIEW_MAX_LENGTH);
  // Cutting may split a surrogate pair; React's UTF-8 encoding makes the orphan U+FFFD.
  if (HIGH_SURROGATE_AT_END.test(cut)) cut = `${cut.slice(0, -1)}\ufffd`;
  const padding = cut.length < PREVIEW_MAX_LENGTH ? `<div>${filler.repeat(PREVIEW_MAX_LENGTH - cut.length)}</div>` : "";
  return escapeHtml(cut) + padding;
}

function textIsExact(compiled: CompiledEmail, values: readonly string[]): boolean {
  for (const i of compiled.textIndexes) {
    const value = values[i]!;
    if (TEXT_LAYOUT_HAZARD.test(value)) return false;
    if (compiled.attributeIndexes.has(i) && ATTRIBUTE_TEXT_HAZARD.test(value)) return false;
  }
  return true;
}

/**
 * Fills a compiled template with a view's strings: HTML-escaped in the HTML, raw in the text. The
 * text comes from html-to-text on the filled HTML when a value could change its layout. Returns null
 * for values only a fresh render reproduces exactly.
 */
export function fillEmail(compiled: CompiledEmail, view: EmailView): RenderedBody | null {
  const values = compiled.keys.map((key) => view[key] ?? "");
  for (const value of values) if (value === "" || LONE_SURROGATE.test(value)) return null;
  for (const i of compiled.attributeIndexes) if (!HTTP_URL.test(values[i]!)) return null;
  const escaped = values.map(escapeHtml);
  escaped[compiled.previewIndex] = previewHtml(values[compiled.previewIndex]!, compiled.previewFiller);
  const html = fillSlots(compiled.html, escaped);
  const text = textIsExact(compiled, values) ? fillSlots(compiled.text, values) : htmlToText(html);
  return { html, text };
}
