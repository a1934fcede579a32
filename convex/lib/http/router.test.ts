import { expect, test } from "vitest";
import { allowHeader, matchRoute, percentDecode, route } from "./router";

const noop = async () => new Response(null);
const routes = [
  route("/api/tasks/create-and-start", { POST: noop }),
  route("/api/tasks/{task_id}", { GET: noop, PUT: noop, DELETE: noop }, { loader: "task" }),
  route("/api/images/{id}/file", { GET: noop }),
  route("/api/images/task/{task_id}", { GET: noop }),
];

test("static segments beat parameters (matchit)", () => {
  expect(matchRoute(routes, "/api/tasks/create-and-start")?.route).toBe(routes[0]);
  expect(matchRoute(routes, "/api/tasks/abc")?.raw).toEqual({ task_id: "abc" });
  expect(matchRoute(routes, "/api/images/task/file")?.route).toBe(routes[3]);
});

test("parameters never match an empty segment", () => {
  expect(matchRoute(routes, "/api/tasks/")).toBeNull();
  expect(matchRoute(routes, "/api/tasks")).toBeNull();
});

test("allow lists GET as GET,HEAD in declaration order", () => {
  expect(allowHeader(routes[1])).toBe("GET,HEAD,PUT,DELETE");
  expect(allowHeader(routes[0])).toBe("POST");
});

test("percent-decoding is lenient and UTF-8", () => {
  expect(percentDecode("..%2F..")).toBe("../..");
  expect(percentDecode("%ZZ")).toBe("%ZZ");
  expect(percentDecode("%C3%A9")).toBe("é");
});
