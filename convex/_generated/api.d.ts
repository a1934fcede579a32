/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as commands from "../commands.js";
import type * as crons from "../crons.js";
import type * as http from "../http.js";
import type * as lib_runCommand from "../lib/runCommand.js";
import type * as lib_runnerAuth from "../lib/runnerAuth.js";
import type * as lib_runnerConfig from "../lib/runnerConfig.js";
import type * as lib_runnerTables from "../lib/runnerTables.js";
import type * as logs from "../logs.js";
import type * as runnerHttp from "../runnerHttp.js";
import type * as runners from "../runners.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  commands: typeof commands;
  crons: typeof crons;
  http: typeof http;
  "lib/runCommand": typeof lib_runCommand;
  "lib/runnerAuth": typeof lib_runnerAuth;
  "lib/runnerConfig": typeof lib_runnerConfig;
  "lib/runnerTables": typeof lib_runnerTables;
  logs: typeof logs;
  runnerHttp: typeof runnerHttp;
  runners: typeof runners;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
