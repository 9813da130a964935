import { EnvError } from "@callastar/runtime";
import { loadEmailWorkerEnv } from "./env";

const base = { EMAIL_TRANSPORT: "console", EMAIL_FROM: "Call a Star <noreply@callastar.test>", APP_URL: "https://app.test", DATABASE_URL: "postgres://u@h/db", REDIS_URL: "redis://h:6379" };

it("batches 100 emails per request and spaces rate-limit slots 50 ms by default", () => {
  expect(loadEmailWorkerEnv(base)).toMatchObject({ EMAIL_BATCH_SIZE: 100, EMAIL_RATE_LIMIT_PER_SECOND: 2, EMAIL_RATE_LIMIT_MARGIN_MS: 10 });
  expect(loadEmailWorkerEnv({ ...base, EMAIL_BATCH_SIZE: "2" }).EMAIL_BATCH_SIZE).toBe(2);
});

it("refuses a batch size Resend would refuse, naming the variable", () => {
  for (const bad of ["101", "0", "ten"]) {
    expect(() => loadEmailWorkerEnv({ ...base, EMAIL_BATCH_SIZE: bad })).toThrow(EnvError);
    expect(() => loadEmailWorkerEnv({ ...base, EMAIL_BATCH_SIZE: bad })).toThrow(/EMAIL_BATCH_SIZE/);
  }
});
