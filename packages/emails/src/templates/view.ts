/**
 * Every display string of one email, computed from its props before React runs (see render-cache.ts).
 * Contract for components: use each string only as opaque text or attribute content, and branch
 * only on whether a string is present. The rendered tree then depends on the values' presence
 * alone, which is what lets one render per shape serve every email of that shape.
 */
export type EmailView = { readonly preview: string } & { readonly [key: string]: string | undefined };
