// The access seam: today every compat request is allowed (0.0.71 has no auth); an identity, when present,
// is derived from the verified token, never from the request.
import { expect, test } from "vitest";
import { newBackend } from "../test.setup";

test("anonymous requests are served, as 0.0.71 serves them", async () => {
  expect((await newBackend().fetch("/api/health")).status).toBe(200);
});

test("requests carrying an identity are served too (Clerk checks will hook in here)", async () => {
  const t = newBackend().withIdentity({ subject: "user_1", issuer: "https://clerk.example" });
  expect((await t.fetch("/api/health")).status).toBe(200);
});
