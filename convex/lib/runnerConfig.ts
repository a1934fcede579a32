// Deployment settings of the runner protocol, read from the deployment's environment variables
// (`npx convex env set NAME value`; the local test host passes its own environment through).

// Convex provides `process.env` in every function; declared here so no Node typings are needed.
declare const process: { env: Record<string, string | undefined> };

/** JSON object mapping key id -> shared secret, e.g. {"k1":"<random>"}. */
export const RUNNER_HMAC_KEYS = "RUNNER_HMAC_KEYS";

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_REPLAY_WINDOW_S = 300;

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`deployment env var ${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** How long a claim holds a command without a heartbeat. */
export function leaseMs(): number {
  return positiveNumber("RUNNER_LEASE_MS", DEFAULT_LEASE_MS);
}

/** Claims a command may use up; a lease that runs out on the last one makes it `expired`. */
export function maxAttempts(): number {
  return Math.floor(positiveNumber("RUNNER_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS));
}

/** Accepted clock skew either way; a nonce is remembered this long after its timestamp. */
export function replayWindowMs(): number {
  return positiveNumber("RUNNER_REPLAY_WINDOW_S", DEFAULT_REPLAY_WINDOW_S) * 1000;
}

/** The key id -> secret map. A malformed value is a deployment error, reported as such. */
export function runnerSecrets(): Map<string, string> {
  const raw = process.env[RUNNER_HMAC_KEYS];
  if (raw === undefined || raw.trim() === "") {
    return new Map();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`deployment env var ${RUNNER_HMAC_KEYS} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`deployment env var ${RUNNER_HMAC_KEYS} must be a JSON object of key id -> secret`);
  }
  const secrets = new Map<string, string>();
  for (const [keyId, secret] of Object.entries(parsed)) {
    if (typeof secret === "string" && secret.length > 0) {
      secrets.set(keyId, secret);
    }
  }
  return secrets;
}
