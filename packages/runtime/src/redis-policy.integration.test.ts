import { startRedisServer, type RedisServer } from "@callastar/testing";
import { checkStartupDependencies, redisDependency, StartupError } from "./startup-check";

// BullMQ loses jobs silently when Redis evicts keys: the start-up check refuses a wrong policy and
// warns when the server will not say (managed services forbid CONFIG).
const servers: RedisServer[] = [];
const server = async (...args: string[]) => {
  const s = await startRedisServer(["--save", "", "--appendonly", "no", ...args]);
  servers.push(s);
  return s;
};
afterAll(() => Promise.all(servers.map((s) => s.stop("SIGKILL"))));

describe("the start-up check of maxmemory-policy", () => {
  it("refuses a Redis that evicts keys, in one line naming the variable and the policy", async () => {
    const s = await server("--maxmemory-policy", "allkeys-lru");
    const check = checkStartupDependencies([redisDependency("REDIS_URL", s.url)], 5_000);
    await expect(check).rejects.toThrow(StartupError);
    await expect(check).rejects.toThrow(/^REDIS_URL: cannot reach Redis at 127\.0\.0\.1:\d+: refused: maxmemory-policy is allkeys-lru: BullMQ requires noeviction/);
  });

  it("passes noeviction without a warning", async () => {
    const s = await server("--maxmemory-policy", "noeviction");
    await expect(checkStartupDependencies([redisDependency("REDIS_URL", s.url)], 5_000)).resolves.toEqual([]);
  });

  it("warns when CONFIG GET is forbidden", async () => {
    const s = await server("--rename-command", "CONFIG", "");
    const warnings = await checkStartupDependencies([redisDependency("REDIS_URL", s.url)], 5_000);
    expect(warnings).toEqual([expect.stringMatching(/^REDIS_URL: cannot read maxmemory-policy \(.*\): make sure it is noeviction/)]);
  });
});
