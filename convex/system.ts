// Deployment-wide reads for /api/info and /api/auth/github/check, and the runner's host description.

import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";
import { githubToken } from "./lib/config";
import { loadConfig, loadEnvironment, loadProfiles } from "./lib/settings";
import { configDocument, environmentDocument } from "./lib/validators";

/** Config, the executors of the profiles document (JSON text, keeping its key order) and the environment. */
export const info = internalQuery({
  args: {},
  returns: v.object({ config: configDocument, executors: v.string(), environment: environmentDocument }),
  handler: async (ctx) => ({
    config: await loadConfig(ctx),
    executors: JSON.stringify((await loadProfiles(ctx)).executors),
    environment: await loadEnvironment(ctx),
  }),
});

export const environment = internalQuery({
  args: {},
  returns: environmentDocument,
  handler: async (ctx) => await loadEnvironment(ctx),
});

/** The runner reports the host it runs on (its HOME and OS), which 0.0.71 read from its own process. */
export const setEnvironment = internalMutation({
  args: { environment: environmentDocument },
  returns: v.null(),
  handler: async (ctx, { environment }) => {
    const row = await ctx.db
      .query("settings")
      .withIndex("by_name", (q) => q.eq("name", "environment"))
      .unique();
    if (row) await ctx.db.replace(row._id, { name: "environment", value: environment });
    else await ctx.db.insert("settings", { name: "environment", value: environment });
    return null;
  },
});

export const githubTokenOf = internalQuery({
  args: {},
  returns: v.union(v.string(), v.null()),
  handler: async (ctx) => githubToken(await loadConfig(ctx)),
});
