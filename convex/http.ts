// HTTP routes only. Everything under /api (and the UI root) goes to the 0.0.71 compatibility dispatcher,
// which matches paths the way 0.0.71's axum router does (lib/http/router.ts, lib/compat/table.ts).

import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
import { compatDispatch } from "./lib/compat/table";

const http = httpRouter();
const compat = httpAction(compatDispatch);

for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const) {
  http.route({ pathPrefix: "/api/", method, handler: compat });
  http.route({ path: "/api", method, handler: compat });
  http.route({ path: "/", method, handler: compat });
}

export default http;
