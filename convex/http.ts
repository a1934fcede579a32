// HTTP routes only. The runner protocol's signed HTTP actions (runnerHttp.ts) on exact paths, and everything
// under /api (and the UI root) to the 0.0.71 compatibility dispatcher, which matches paths the way 0.0.71's
// axum router does (lib/http/router.ts, lib/compat/table.ts).
import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
import { compatDispatch } from "./lib/compat/table";
// runner protocol: imports
import * as runnerHttp from "./runnerHttp";
// end runner protocol: imports

const http = httpRouter();

// runner protocol: signed HTTP actions for the local runner (see runnerHttp.ts)
http.route({ path: "/runner/register", method: "POST", handler: runnerHttp.register });
http.route({ path: "/runner/claim", method: "POST", handler: runnerHttp.claim });
http.route({ path: "/runner/heartbeat", method: "POST", handler: runnerHttp.heartbeat });
http.route({ path: "/runner/complete", method: "POST", handler: runnerHttp.complete });
http.route({ path: "/runner/logs", method: "POST", handler: runnerHttp.logs });
// end runner protocol

// 0.0.71 compatibility layer
const compat = httpAction(compatDispatch);
for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const) {
  http.route({ pathPrefix: "/api/", method, handler: compat });
  http.route({ path: "/api", method, handler: compat });
  http.route({ path: "/", method, handler: compat });
}

export default http;
