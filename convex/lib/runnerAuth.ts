// Signed envelopes of the runner protocol: HMAC-SHA256 over `timestamp + "." + nonce + "." + body`.
// Pure: the caller supplies the secrets, the clock and the window; the nonce's single use is recorded
// by a mutation afterwards (runners.useNonce), so a replay inside the window is refused as well.

export const RUNNER_HEADERS = {
  keyId: "x-runner-key-id",
  timestamp: "x-runner-timestamp", // unix seconds, decimal
  nonce: "x-runner-nonce", // 16-128 chars of [A-Za-z0-9_-], single use per key
  signature: "x-runner-signature", // lowercase hex of the HMAC-SHA256
} as const;

export type SignedRequest = {
  keyId: string;
  nonce: string;
  timestampMs: number;
};

export type AuthResult = ({ ok: true } & SignedRequest) | { ok: false; reason: string };

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

const encoder = new TextEncoder();

export function signedMessage(timestamp: string, nonce: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.${nonce}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix, 0);
  message.set(body, prefix.length);
  return message;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    usage,
  ]);
}

/** Lowercase hex HMAC-SHA256 (used by tests and by anything that signs on the Convex side). */
export async function signRunnerMessage(secret: string, message: Uint8Array<ArrayBuffer>): Promise<string> {
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), message));
  return Array.from(signature, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks the headers and the signature of one request. `crypto.subtle.verify` compares in constant
 * time. An unknown key id gets the same answer as a wrong signature, so key ids cannot be probed.
 */
export async function verifyRunnerRequest(
  headers: Headers,
  body: Uint8Array,
  secrets: Map<string, string>,
  nowMs: number,
  windowMs: number,
): Promise<AuthResult> {
  const keyId = headers.get(RUNNER_HEADERS.keyId);
  const timestamp = headers.get(RUNNER_HEADERS.timestamp);
  const nonce = headers.get(RUNNER_HEADERS.nonce);
  const signature = headers.get(RUNNER_HEADERS.signature);
  if (keyId === null || timestamp === null || nonce === null || signature === null) {
    return { ok: false, reason: "missing signature headers" };
  }
  if (!TIMESTAMP_PATTERN.test(timestamp) || !NONCE_PATTERN.test(nonce) || !SIGNATURE_PATTERN.test(signature)) {
    return { ok: false, reason: "malformed signature headers" };
  }
  const secret = secrets.get(keyId);
  const message = signedMessage(timestamp, nonce, body);
  // Verify against a throwaway key when the id is unknown, so both paths cost the same.
  const key = await hmacKey(secret ?? "unknown-key-placeholder", "verify");
  const valid = await crypto.subtle.verify("HMAC", key, hexToBytes(signature), message);
  if (secret === undefined || !valid) {
    return { ok: false, reason: "bad signature" };
  }
  const timestampMs = Number(timestamp) * 1000;
  if (Math.abs(nowMs - timestampMs) > windowMs) {
    return { ok: false, reason: "expired" };
  }
  return { ok: true, keyId, nonce, timestampMs };
}
