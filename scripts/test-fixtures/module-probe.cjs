// Preloaded (`node --require`) into an app under test: records every module the process resolves,
// by require() or import() alike (module.registerHooks sees both), and at exit writes the npm package
// names among them to MODULE_PROBE_OUT. Test-only: production never loads it.
const { registerHooks } = require("node:module");
const { writeFileSync } = require("node:fs");

const packages = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    const at = result.url.lastIndexOf("/node_modules/");
    if (at >= 0) {
      const [scope, name] = result.url.slice(at + "/node_modules/".length).split("/");
      packages.add(scope.startsWith("@") ? `${scope}/${name}` : scope);
    }
    return result;
  },
});
process.on("exit", () => writeFileSync(process.env.MODULE_PROBE_OUT, JSON.stringify([...packages].sort())));
