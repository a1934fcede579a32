import { expect, test } from "vitest";
import { millisTimestamp, secondsTimestamp } from "./time";

test("ms timestamps drop a zero fraction like chrono's AutoSi", () => {
  expect(millisTimestamp(Date.UTC(2026, 10, 26, 8, 9, 39, 363))).toBe("2026-11-26T08:09:39.363Z");
  expect(millisTimestamp(Date.UTC(2026, 10, 26, 8, 9, 39, 0))).toBe("2026-11-26T08:09:39Z");
  expect(millisTimestamp(Date.UTC(2026, 10, 26, 8, 9, 39, 50))).toBe("2026-11-26T08:09:39.050Z");
});

test("s timestamps truncate", () => {
  expect(secondsTimestamp(Date.UTC(2026, 10, 26, 8, 10, 8, 999))).toBe("2026-11-26T08:10:08Z");
});
