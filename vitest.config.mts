import { defineConfig } from "vitest/config";

// convex-test needs the edge-runtime environment and must be inlined (CONVEX-NOTES.md).
export default defineConfig({
  test: {
    environment: "edge-runtime",
    server: { deps: { inline: ["convex-test"] } },
    include: ["convex/**/*.test.ts"],
  },
});
