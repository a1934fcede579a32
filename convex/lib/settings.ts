// Readers for the deployment-wide documents in `settings`, each falling back to 0.0.71's default.

import { QueryCtx } from "../_generated/server";
import { DEFAULT_CONFIG } from "./config";
import { DEFAULT_PROFILES, ProfilesDocument } from "./profiles";
import { ConfigDocument, EnvironmentDocument } from "./validators";

/** Until a runner reports its host, /api/info says so plainly instead of inventing one. */
export const UNKNOWN_ENVIRONMENT: EnvironmentDocument = {
  home: "~",
  os_type: "Unknown",
  os_version: "Unknown",
  os_architecture: "unknown",
  bitness: "Unknown",
};

export async function loadConfig(ctx: QueryCtx): Promise<ConfigDocument> {
  const row = await ctx.db
    .query("settings")
    .withIndex("by_name", (q) => q.eq("name", "config"))
    .unique();
  return row?.name === "config" ? row.value : DEFAULT_CONFIG;
}

export async function loadProfiles(ctx: QueryCtx): Promise<ProfilesDocument> {
  const row = await ctx.db
    .query("settings")
    .withIndex("by_name", (q) => q.eq("name", "profiles"))
    .unique();
  return row?.name === "profiles" ? (JSON.parse(row.value) as ProfilesDocument) : DEFAULT_PROFILES;
}

export async function loadEnvironment(ctx: QueryCtx): Promise<EnvironmentDocument> {
  const row = await ctx.db
    .query("settings")
    .withIndex("by_name", (q) => q.eq("name", "environment"))
    .unique();
  return row?.name === "environment" ? row.value : UNKNOWN_ENVIRONMENT;
}
