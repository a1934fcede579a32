// Looking a row up by its 0.0.71 id (`legacyId`, the UUID the compatibility API speaks). One function for
// every table that carries one, so the index name and its uniqueness live in one place.

import { Doc } from "../_generated/dataModel";
import { QueryCtx } from "../_generated/server";

/** The tables with a `by_legacyId` index (schema.ts). */
export type LegacyTable = "projects" | "tasks" | "taskTemplates" | "workspaces" | "executionProcesses" | "images";

/** The row of `table` with this legacy id, or null (`.unique()`: two rows with one id is a bug, and throws). */
export async function byLegacyId<T extends LegacyTable>(
  ctx: QueryCtx,
  table: T,
  legacyId: string,
): Promise<Doc<T> | null> {
  // The cast only names the field's type, `string` in every LegacyTable: TypeScript cannot resolve it
  // through the generic table parameter.
  return await ctx.db
    .query(table)
    .withIndex("by_legacyId", (q) => q.eq("legacyId", legacyId as Doc<T>["legacyId"]))
    .unique();
}
