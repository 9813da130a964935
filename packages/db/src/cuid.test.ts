import { createId } from "./cuid";

describe("createId (Prisma's cuid() layout)", () => {
  it("is 'c' + 24 base-36 characters, unique over 200,000 ids made as fast as possible", () => {
    const ids = Array.from({ length: 200_000 }, createId);
    for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^c[0-9a-z]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("starts with the creation time, so ids sort roughly by creation", () => {
    const before = Date.now();
    const id = createId();
    const time = parseInt(id.slice(1, 9), 36);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it("keeps its random blocks random (no block repeats across 50,000 ids)", () => {
    const randomParts = new Set(Array.from({ length: 50_000 }, () => createId().slice(17)));
    expect(randomParts.size).toBe(50_000);
  });
});
