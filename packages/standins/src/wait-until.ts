/**
 * Polls a stand-in's state until `check` holds or `timeoutMs` passes, for this package's own tests
 * (which cannot use @callastar/testing: it depends on this package).
 */
export async function waitUntil(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}
