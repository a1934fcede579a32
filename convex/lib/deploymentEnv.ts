// Deployment environment variables (`npx convex env set`), read through one typed door: Convex exposes
// `process.env` to functions, and this project does not pull in @types/node for it.

declare const process: { env: Record<string, string | undefined> };

/** A positive number from the deployment's env, or the default. */
export function positiveNumberSetting(name: string, fallback: number): number {
  const configured = Number(process.env[name]);
  return Number.isFinite(configured) && configured > 0 ? configured : fallback;
}
