// Conventions the candidate promises (STYLE.md "Convex", CONVEX-NOTES best practices), checked on the code
// itself: every function is internal and declares args and returns; indexes are named after their fields;
// no query filters a table scan or collects without a bound.
import { expect, test } from "vitest";
import schema from "./schema";

const functionModules = import.meta.glob(["./*.ts", "!./*.test.ts", "!./http.ts", "!./schema.ts", "!./test.setup.ts"], { eager: true });
const sources = import.meta.glob(["./**/*.ts", "!./**/*.test.ts", "!./_generated/**", "!./test.setup.ts"], {
  eager: true,
  query: "?raw",
  import: "default",
}) as Record<string, string>;

test("every function is internal and validates its args and its return value", () => {
  const checked: string[] = [];
  for (const [path, module] of Object.entries(functionModules)) {
    for (const [name, fn] of Object.entries(module as Record<string, any>)) {
      if (typeof fn !== "function" || !("exportArgs" in fn)) continue;
      checked.push(`${path}:${name}`);
      expect(fn.isInternal, `${path}:${name} is internal`).toBe(true);
      expect(JSON.parse(fn.exportArgs()).type, `${path}:${name} has args`).toBe("object");
      expect(fn.exportReturns(), `${path}:${name} has returns`).not.toBe("null");
    }
  }
  expect(checked.length).toBeGreaterThan(40);
});

test("indexes are named by_<field>[_and_<field>] after the fields they cover", () => {
  const exported = JSON.parse((schema as any).export()) as { tables: Array<{ tableName: string; indexes: Array<{ indexDescriptor: string; fields: string[] }> }> };
  let count = 0;
  for (const table of exported.tables) {
    for (const index of table.indexes) {
      expect(index.indexDescriptor, table.tableName).toBe(`by_${index.fields.join("_and_")}`);
      count += 1;
    }
  }
  expect(count).toBeGreaterThan(40);
});

test("queries use indexes and bounded reads: no .filter((q) …) on tables, no .collect()", () => {
  for (const [path, source] of Object.entries(sources)) {
    expect(source, path).not.toMatch(/\.filter\(\s*\(?q\)?\s*=>/);
    expect(source, path).not.toMatch(/\.collect\(\)/);
  }
  expect(Object.keys(sources).length).toBeGreaterThan(30);
});
