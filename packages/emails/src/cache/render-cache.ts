import type { ReactNode } from "react";
import type { RenderedBody } from "../fresh-render";
import type { EmailView } from "../templates/view";
import { compileEmail, type CompiledEmail } from "./compile";
import { fillEmail } from "./fill";

// Kept because it pays at the production peak (100 renders per 500 ms): a fresh render costs ~35-40 %
// of a core there, and batches overran their slot; cached, ~1 % (`pnpm bench:render`, its peak section).
// Keyed by template and shape (which view strings are present): a handful of entries per template,
// so it is never evicted. Promises, so concurrent first renders of a shape share one compile.
const compiled = new Map<string, Promise<CompiledEmail | null>>();

/**
 * Renders a view from the template's cached placeholder render (compiled on first use of its shape).
 * Returns null when it cannot reproduce a fresh render exactly; the caller then renders afresh.
 */
export async function renderCached(template: string, Component: (view: EmailView) => ReactNode, view: EmailView): Promise<RenderedBody | null> {
  const keys = Object.keys(view).filter((key) => view[key] !== undefined);
  const shape = `${template}:${keys.join(",")}`;
  let entry = compiled.get(shape);
  if (!entry) {
    // A failed compile is not remembered: the fresh render that follows reports the real error.
    entry = compileEmail(Component, keys).catch(() => {
      compiled.delete(shape);
      return null;
    });
    compiled.set(shape, entry);
  }
  const email = await entry;
  return email ? fillEmail(email, view) : null;
}
