import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { describe, expect, test } from "vitest";
import crons from "./crons";
import schema from "./schema";
import { modules } from "./test.setup";

// convex-test never fires crons: check that each one is an interval naming a real internal mutation
// that runs cleanly on an empty database (the local host runs exactly these on its timer).
describe("crons", () => {
  test("every job is an interval on a runnable mutation", async () => {
    const jobs = Object.values(crons.crons);
    expect(jobs.map((job) => job.name).sort()).toEqual(["commands:sweep", "runners:purgeNonces"]);
    const t = convexTest(schema, modules);
    for (const job of jobs) {
      expect(job.schedule.type).toBe("interval");
      const result = await t.mutation(makeFunctionReference<"mutation">(job.name), {});
      expect(result).toMatchObject({ more: false });
    }
  });
});
