import { z } from "zod";
import { loadEnv, workerEnvShape } from "../load-env";

/** The fixture worker's configuration: exactly the env every worker app shares. */
export const loadFixtureEnv = () => loadEnv(z.object(workerEnvShape), process.env);
