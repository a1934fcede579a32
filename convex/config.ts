// The deployment's Config document (0.0.71 `config.json`); the default until the first PUT.

import { internalMutation, internalQuery } from "./_generated/server";
import { loadConfig } from "./lib/settings";
import { configDocument } from "./lib/validators";

export const get = internalQuery({
  args: {},
  returns: configDocument,
  handler: async (ctx) => await loadConfig(ctx),
});

/** Replaces the whole document (PUT semantics) and returns it as saved. */
export const put = internalMutation({
  args: { config: configDocument },
  returns: configDocument,
  handler: async (ctx, { config }) => {
    const row = await ctx.db
      .query("settings")
      .withIndex("by_name", (q) => q.eq("name", "config"))
      .unique();
    if (row) await ctx.db.replace(row._id, { name: "config", value: config });
    else await ctx.db.insert("settings", { name: "config", value: config });
    return config;
  },
});
