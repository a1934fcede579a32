import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
// runner protocol: imports
import * as runnerHttp from "./runnerHttp";
// end runner protocol: imports

const http = httpRouter();

// Placeholder until the compatibility layer's routes land: GET /api/health as the 0.0.71 backend answers it.
http.route({
  path: "/api/health",
  method: "GET",
  handler: httpAction(async () =>
    Response.json({ success: true, data: "OK", error_data: null, message: null }),
  ),
});

// runner protocol: signed HTTP actions for the local runner (see runnerHttp.ts)
http.route({ path: "/runner/register", method: "POST", handler: runnerHttp.register });
http.route({ path: "/runner/claim", method: "POST", handler: runnerHttp.claim });
http.route({ path: "/runner/heartbeat", method: "POST", handler: runnerHttp.heartbeat });
http.route({ path: "/runner/complete", method: "POST", handler: runnerHttp.complete });
http.route({ path: "/runner/logs", method: "POST", handler: runnerHttp.logs });
// end runner protocol

export default http;
