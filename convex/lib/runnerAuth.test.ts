import { describe, expect, test } from "vitest";
import { RUNNER_HEADERS, signRunnerMessage, signedMessage, verifyRunnerRequest } from "./runnerAuth";

const SECRETS = new Map([["k1", "secret-one"]]);
const NOW = 1_800_000_000_000;
const WINDOW = 300_000;
const NONCE = "nonce-0123456789abcdef";
const encode = (text: string) => new TextEncoder().encode(text);

async function headersFor(
  body: string,
  { keyId = "k1", secret = "secret-one", timestamp = String(NOW / 1000), nonce = NONCE } = {},
): Promise<Headers> {
  const signature = await signRunnerMessage(secret, signedMessage(timestamp, nonce, encode(body)));
  return new Headers({
    [RUNNER_HEADERS.keyId]: keyId,
    [RUNNER_HEADERS.timestamp]: timestamp,
    [RUNNER_HEADERS.nonce]: nonce,
    [RUNNER_HEADERS.signature]: signature,
  });
}

describe("verifyRunnerRequest", () => {
  test("accepts a correctly signed request and reports who signed it", async () => {
    const body = '{"runnerId":"r1"}';
    const result = await verifyRunnerRequest(await headersFor(body), encode(body), SECRETS, NOW, WINDOW);
    expect(result).toEqual({ ok: true, keyId: "k1", nonce: NONCE, timestampMs: NOW });
  });

  test("refuses a signature made with another secret (forged)", async () => {
    const body = "{}";
    const headers = await headersFor(body, { secret: "guessed" });
    expect(await verifyRunnerRequest(headers, encode(body), SECRETS, NOW, WINDOW)).toEqual({
      ok: false,
      reason: "bad signature",
    });
  });

  test("refuses a body changed after signing (tampered)", async () => {
    const headers = await headersFor('{"fencingToken":1}');
    const result = await verifyRunnerRequest(headers, encode('{"fencingToken":2}'), SECRETS, NOW, WINDOW);
    expect(result).toEqual({ ok: false, reason: "bad signature" });
  });

  test("refuses a nonce changed after signing", async () => {
    const headers = await headersFor("{}");
    headers.set(RUNNER_HEADERS.nonce, "another-nonce-0123456789");
    expect((await verifyRunnerRequest(headers, encode("{}"), SECRETS, NOW, WINDOW)).ok).toBe(false);
  });

  test("an unknown key id looks exactly like a bad signature", async () => {
    const headers = await headersFor("{}", { keyId: "k2" });
    expect(await verifyRunnerRequest(headers, encode("{}"), SECRETS, NOW, WINDOW)).toEqual({
      ok: false,
      reason: "bad signature",
    });
  });

  test("refuses timestamps outside the window, either way (expired or from the future)", async () => {
    for (const offset of [-WINDOW - 1000, WINDOW + 1000]) {
      const timestamp = String((NOW + offset) / 1000);
      const headers = await headersFor("{}", { timestamp });
      expect(await verifyRunnerRequest(headers, encode("{}"), SECRETS, NOW, WINDOW)).toEqual({
        ok: false,
        reason: "expired",
      });
    }
    const edge = await headersFor("{}", { timestamp: String((NOW - WINDOW) / 1000) });
    expect((await verifyRunnerRequest(edge, encode("{}"), SECRETS, NOW, WINDOW)).ok).toBe(true);
  });

  test("refuses missing or malformed headers before any crypto", async () => {
    const headers = await headersFor("{}");
    headers.delete(RUNNER_HEADERS.signature);
    expect(await verifyRunnerRequest(headers, encode("{}"), SECRETS, NOW, WINDOW)).toEqual({
      ok: false,
      reason: "missing signature headers",
    });
    for (const [name, value] of [
      [RUNNER_HEADERS.nonce, "short"],
      [RUNNER_HEADERS.timestamp, "12.5"],
      [RUNNER_HEADERS.signature, "ZZ"],
    ]) {
      const bad = await headersFor("{}");
      bad.set(name, value);
      expect(await verifyRunnerRequest(bad, encode("{}"), SECRETS, NOW, WINDOW)).toEqual({
        ok: false,
        reason: "malformed signature headers",
      });
    }
  });
});
