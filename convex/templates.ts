// Task templates (0.0.71 `task_templates`): global ones (projectId null) and per-project ones, with
// `template_name` unique per scope, and the three seeded globals.

import { v } from "convex/values";
import { Doc, Id } from "./_generated/dataModel";
import { MutationCtx, QueryCtx, internalMutation, internalQuery } from "./_generated/server";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST } from "./lib/limits";
import { FK_FAILED, Outcome, apiError, notFound, ok, outcome } from "./lib/outcome";
import { GLOBAL_TEMPLATE_SEEDS } from "./lib/templateSeeds";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { nullableString } from "./lib/validators";
import { TemplateWire, templateWire, toTemplateWire } from "./lib/wire/entities";

const UNIQUE_GLOBAL = "DatabaseError: error returned from database: (code: 2067) UNIQUE constraint failed: task_templates.template_name";
const UNIQUE_PROJECT =
  "DatabaseError: error returned from database: (code: 2067) UNIQUE constraint failed: task_templates.project_id, task_templates.template_name";
const BOTH_FILTERS = "DatabaseError: Cannot query both global and project-specific templates";

async function inScope(ctx: QueryCtx, projectId: Id<"projects"> | null): Promise<Doc<"taskTemplates">[]> {
  return await ctx.db
    .query("taskTemplates")
    .withIndex("by_projectId_and_templateName", (q) => q.eq("projectId", projectId))
    .take(MAX_LIST);
}

async function nameTaken(ctx: QueryCtx, projectId: Id<"projects"> | null, name: string, except?: Id<"taskTemplates">) {
  const same = await ctx.db
    .query("taskTemplates")
    .withIndex("by_projectId_and_templateName", (q) => q.eq("projectId", projectId).eq("templateName", name))
    .take(2);
  return same.some((t) => t._id !== except);
}

/** SQLite's BINARY collation: compare by code units, not locale. */
function byName(a: Doc<"taskTemplates">, b: Doc<"taskTemplates">): number {
  return a.templateName < b.templateName ? -1 : a.templateName > b.templateName ? 1 : 0;
}

async function seed(ctx: MutationCtx): Promise<void> {
  const marker = await ctx.db
    .query("settings")
    .withIndex("by_name", (q) => q.eq("name", "globalTemplatesSeeded"))
    .unique();
  if (marker) return;
  const now = millisTimestamp(Date.now());
  for (const s of GLOBAL_TEMPLATE_SEEDS) {
    if (await nameTaken(ctx, null, s.templateName)) continue;
    await ctx.db.insert("taskTemplates", {
      legacyId: newLegacyId(),
      projectId: null,
      title: s.title,
      description: s.description,
      templateName: s.templateName,
      createdAt: now,
      updatedAt: now,
    });
  }
  await ctx.db.insert("settings", { name: "globalTemplatesSeeded", value: true });
}

/** Seeds the three global templates once per deployment (0.0.71 does it in a migration). Idempotent. */
export const seedGlobals = internalMutation({
  args: {},
  returns: v.null(),
  handler: async (ctx) => {
    await seed(ctx);
    return null;
  },
});

/** The filter table of `get_templates` (CONTRACT-CORRECTIONS item 16). */
export const list = internalQuery({
  args: { global: v.union(v.boolean(), v.null()), projectId: nullableString },
  returns: outcome(v.array(templateWire)),
  handler: async (ctx, { global, projectId }): Promise<Outcome<TemplateWire[]>> => {
    let rows: Doc<"taskTemplates">[];
    if (global === true && projectId !== null) return apiError(BOTH_FILTERS);
    if (projectId !== null) {
      const project = await byLegacyId(ctx, "projects", projectId);
      rows = project ? await inScope(ctx, project._id) : [];
    } else if (global === true) {
      rows = await inScope(ctx, null);
    } else if (global === false) {
      rows = [];
    } else {
      const projectScoped = await ctx.db
        .query("taskTemplates")
        .withIndex("by_projectId_and_templateName", (q) => q.gt("projectId", null))
        .take(MAX_LIST);
      rows = [...(await inScope(ctx, null)), ...projectScoped.sort(byName)];
    }
    return ok(await Promise.all(rows.map((t) => toTemplateWire(ctx, t))));
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(templateWire, v.null()),
  handler: async (ctx, { id }) => {
    const template = await byLegacyId(ctx, "taskTemplates", id);
    return template ? await toTemplateWire(ctx, template) : null;
  },
});

export const create = internalMutation({
  args: { projectId: nullableString, title: v.string(), description: nullableString, templateName: v.string() },
  returns: outcome(templateWire),
  handler: async (ctx, args): Promise<Outcome<TemplateWire>> => {
    await seed(ctx);
    let projectId: Id<"projects"> | null = null;
    if (args.projectId !== null) {
      const legacy = args.projectId;
      const project = await byLegacyId(ctx, "projects", legacy);
      if (!project) return apiError(`DatabaseError: ${FK_FAILED}`);
      projectId = project._id;
    }
    if (await nameTaken(ctx, projectId, args.templateName)) return apiError(projectId ? UNIQUE_PROJECT : UNIQUE_GLOBAL);
    const now = millisTimestamp(Date.now());
    const id = await ctx.db.insert("taskTemplates", {
      legacyId: newLegacyId(),
      projectId,
      title: args.title,
      description: args.description,
      templateName: args.templateName,
      createdAt: now,
      updatedAt: now,
    });
    return ok(await toTemplateWire(ctx, (await ctx.db.get(id)) as Doc<"taskTemplates">));
  },
});

/** Absent fields keep their value (description cannot be cleared); `updated_at` is bumped (ms). */
export const update = internalMutation({
  args: { id: v.string(), title: nullableString, description: nullableString, templateName: nullableString },
  returns: outcome(templateWire),
  handler: async (ctx, args): Promise<Outcome<TemplateWire>> => {
    const template = await byLegacyId(ctx, "taskTemplates", args.id);
    if (!template) return notFound();
    const templateName = args.templateName ?? template.templateName;
    if (await nameTaken(ctx, template.projectId, templateName, template._id)) {
      return apiError(template.projectId ? UNIQUE_PROJECT : UNIQUE_GLOBAL);
    }
    await ctx.db.patch(template._id, {
      title: args.title ?? template.title,
      description: args.description ?? template.description,
      templateName,
      updatedAt: millisTimestamp(Date.now()),
    });
    return ok(await toTemplateWire(ctx, (await ctx.db.get(template._id)) as Doc<"taskTemplates">));
  },
});

export const remove = internalMutation({
  args: { id: v.string() },
  returns: outcome(v.null()),
  handler: async (ctx, { id }): Promise<Outcome<null>> => {
    const template = await byLegacyId(ctx, "taskTemplates", id);
    if (!template) return notFound();
    await ctx.db.delete(template._id);
    return ok(null);
  },
});
