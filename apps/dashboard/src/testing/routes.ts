// Enumerates what an express app serves by walking its router stack, so auth tests need no hand list.

/** A route or mount found in the router stack. */
export interface FoundRoute {
  path: string;
  methods: string[];
  /** A middleware mount (e.g. Bull Board), which serves every method under `path`. */
  mount: boolean;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** Every route and mount of `app` (express 5), with mount prefixes applied. */
export function listRoutes(app: { router: { stack: LayerLike[] } }): FoundRoute[] {
  const found: FoundRoute[] = [];
  const walk = (stack: LayerLike[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) found.push({ path: prefix + String(p), methods: Object.keys(layer.route.methods).map((m) => m.toUpperCase()), mount: false });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath === "/" || layer.rawPath === undefined ? "" : String(layer.rawPath)));
      } else if (typeof layer.rawPath === "string" && layer.rawPath !== "/") {
        found.push({ path: prefix + layer.rawPath, methods: ["GET", "POST", "PUT", "PATCH", "DELETE"], mount: true });
      }
    }
  };
  walk(app.router.stack, "");
  const seen = new Set<string>();
  return found.filter((r) => {
    const key = `${r.methods.join(",")} ${r.path} ${r.mount}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A concrete URL for a route pattern: every `:param` becomes a harmless value. */
export function concretePath(pattern: string): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name === "id" ? "cleanup-logs" : `x-${name}`));
}
