// Minimal schema holding only the runner protocol's tables, until the app's schema.ts (which spreads
// `runnerTables` beside its own tables) lands.
import { defineSchema } from "convex/server";
import { runnerTables } from "./lib/runnerTables";

export default defineSchema({
  ...runnerTables,
});
