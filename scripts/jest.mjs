// Runs jest with the Node flags our dependencies need: resend, @react-email/render and others call
// import() from their CommonJS builds, which jest only supports under --experimental-vm-modules.
import { spawnSync } from "node:child_process";
const flags = "--experimental-vm-modules --disable-warning=ExperimentalWarning";
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${flags}`.trim() };
const result = spawnSync(process.execPath, ["node_modules/jest/bin/jest.js", ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
