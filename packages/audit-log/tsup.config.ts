import { defineConfig } from "tsup";
import { installableBuild } from "../../scripts/installable-build";

export default defineConfig(installableBuild({ index: "src/index.ts" }, ["drizzle-orm", "postgres"]));
