// The executor profiles document (0.0.71 `profiles.json` merged with the defaults). Stored as JSON text
// because its keys are user-chosen variant names; validated by lib/profiles.ts before it is saved.

import { v } from "convex/values";
import { internalMutation, internalQuery } from "./_generated/server";
import { defaultAgent, hasExecutor, parseProfiles, renderProfiles } from "./lib/profiles";
import { loadProfiles } from "./lib/settings";

/** The complete document as `serde_json::to_string_pretty` would print it. */
export const get = internalQuery({
  args: {},
  returns: v.string(),
  handler: async (ctx) => renderProfiles(await loadProfiles(ctx)),
});

/** The executor's profile exists, and the agent of its DEFAULT variant (for MCP support). */
export const lookupExecutor = internalQuery({
  args: { executor: v.string() },
  returns: v.object({ exists: v.boolean(), defaultAgent: v.union(v.string(), v.null()) }),
  handler: async (ctx, { executor }) => {
    const document = await loadProfiles(ctx);
    return { exists: hasExecutor(document, executor), defaultAgent: defaultAgent(document, executor) };
  },
});

/** `PUT /api/profiles` with the raw body: saved, or 0.0.71's shape-A text. */
export const put = internalMutation({
  args: { body: v.bytes() },
  returns: v.union(v.object({ ok: v.literal(true) }), v.object({ ok: v.literal(false), message: v.string() })),
  handler: async (ctx, { body }) => {
    const parsed = parseProfiles(new Uint8Array(body));
    if (!parsed.ok) return { ok: false as const, message: parsed.message };
    const value = JSON.stringify(parsed.document);
    const row = await ctx.db
      .query("settings")
      .withIndex("by_name", (q) => q.eq("name", "profiles"))
      .unique();
    if (row) await ctx.db.replace(row._id, { name: "profiles", value });
    else await ctx.db.insert("settings", { name: "profiles", value });
    return { ok: true as const };
  },
});
