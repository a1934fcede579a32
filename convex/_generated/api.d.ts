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
import type * as config from "../config.js";
import type * as crons from "../crons.js";
import type * as events from "../events.js";
import type * as executionProcesses from "../executionProcesses.js";
import type * as http from "../http.js";
import type * as images from "../images.js";
import type * as lib_access from "../lib/access.js";
import type * as lib_attempt from "../lib/attempt.js";
import type * as lib_cascade from "../lib/cascade.js";
import type * as lib_changes from "../lib/changes.js";
import type * as lib_compat_attemptRoutes from "../lib/compat/attemptRoutes.js";
import type * as lib_compat_bodies from "../lib/compat/bodies.js";
import type * as lib_compat_eventRoutes from "../lib/compat/eventRoutes.js";
import type * as lib_compat_imageRoutes from "../lib/compat/imageRoutes.js";
import type * as lib_compat_processRoutes from "../lib/compat/processRoutes.js";
import type * as lib_compat_projectRoutes from "../lib/compat/projectRoutes.js";
import type * as lib_compat_runner from "../lib/compat/runner.js";
import type * as lib_compat_systemRoutes from "../lib/compat/systemRoutes.js";
import type * as lib_compat_table from "../lib/compat/table.js";
import type * as lib_compat_taskRoutes from "../lib/compat/taskRoutes.js";
import type * as lib_compat_templateRoutes from "../lib/compat/templateRoutes.js";
import type * as lib_config from "../lib/config.js";
import type * as lib_deploymentEnv from "../lib/deploymentEnv.js";
import type * as lib_editor from "../lib/editor.js";
import type * as lib_http_extract from "../lib/http/extract.js";
import type * as lib_http_responses from "../lib/http/responses.js";
import type * as lib_http_router from "../lib/http/router.js";
import type * as lib_http_spa from "../lib/http/spa.js";
import type * as lib_idempotency from "../lib/idempotency.js";
import type * as lib_imageRules from "../lib/imageRules.js";
import type * as lib_legacyIds from "../lib/legacyIds.js";
import type * as lib_limits from "../lib/limits.js";
import type * as lib_mcp from "../lib/mcp.js";
import type * as lib_outcome from "../lib/outcome.js";
import type * as lib_profiles from "../lib/profiles.js";
import type * as lib_runCommand from "../lib/runCommand.js";
import type * as lib_runnerAuth from "../lib/runnerAuth.js";
import type * as lib_runnerConfig from "../lib/runnerConfig.js";
import type * as lib_runnerTables from "../lib/runnerTables.js";
import type * as lib_serde_errors from "../lib/serde/errors.js";
import type * as lib_serde_json from "../lib/serde/json.js";
import type * as lib_serde_query from "../lib/serde/query.js";
import type * as lib_serde_reader from "../lib/serde/reader.js";
import type * as lib_serde_spec from "../lib/serde/spec.js";
import type * as lib_settings from "../lib/settings.js";
import type * as lib_taskStatus from "../lib/taskStatus.js";
import type * as lib_templateSeeds from "../lib/templateSeeds.js";
import type * as lib_time from "../lib/time.js";
import type * as lib_uuid from "../lib/uuid.js";
import type * as lib_validators from "../lib/validators.js";
import type * as lib_wire_entities from "../lib/wire/entities.js";
import type * as lib_wire_shapes from "../lib/wire/shapes.js";
import type * as logs from "../logs.js";
import type * as profiles from "../profiles.js";
import type * as projects from "../projects.js";
import type * as runnerHttp from "../runnerHttp.js";
import type * as runners from "../runners.js";
import type * as sounds from "../sounds.js";
import type * as system from "../system.js";
import type * as tasks from "../tasks.js";
import type * as templates from "../templates.js";
import type * as workspaces from "../workspaces.js";

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
  config: typeof config;
  crons: typeof crons;
  events: typeof events;
  executionProcesses: typeof executionProcesses;
  http: typeof http;
  images: typeof images;
  "lib/access": typeof lib_access;
  "lib/attempt": typeof lib_attempt;
  "lib/cascade": typeof lib_cascade;
  "lib/changes": typeof lib_changes;
  "lib/compat/attemptRoutes": typeof lib_compat_attemptRoutes;
  "lib/compat/bodies": typeof lib_compat_bodies;
  "lib/compat/eventRoutes": typeof lib_compat_eventRoutes;
  "lib/compat/imageRoutes": typeof lib_compat_imageRoutes;
  "lib/compat/processRoutes": typeof lib_compat_processRoutes;
  "lib/compat/projectRoutes": typeof lib_compat_projectRoutes;
  "lib/compat/runner": typeof lib_compat_runner;
  "lib/compat/systemRoutes": typeof lib_compat_systemRoutes;
  "lib/compat/table": typeof lib_compat_table;
  "lib/compat/taskRoutes": typeof lib_compat_taskRoutes;
  "lib/compat/templateRoutes": typeof lib_compat_templateRoutes;
  "lib/config": typeof lib_config;
  "lib/deploymentEnv": typeof lib_deploymentEnv;
  "lib/editor": typeof lib_editor;
  "lib/http/extract": typeof lib_http_extract;
  "lib/http/responses": typeof lib_http_responses;
  "lib/http/router": typeof lib_http_router;
  "lib/http/spa": typeof lib_http_spa;
  "lib/idempotency": typeof lib_idempotency;
  "lib/imageRules": typeof lib_imageRules;
  "lib/legacyIds": typeof lib_legacyIds;
  "lib/limits": typeof lib_limits;
  "lib/mcp": typeof lib_mcp;
  "lib/outcome": typeof lib_outcome;
  "lib/profiles": typeof lib_profiles;
  "lib/runCommand": typeof lib_runCommand;
  "lib/runnerAuth": typeof lib_runnerAuth;
  "lib/runnerConfig": typeof lib_runnerConfig;
  "lib/runnerTables": typeof lib_runnerTables;
  "lib/serde/errors": typeof lib_serde_errors;
  "lib/serde/json": typeof lib_serde_json;
  "lib/serde/query": typeof lib_serde_query;
  "lib/serde/reader": typeof lib_serde_reader;
  "lib/serde/spec": typeof lib_serde_spec;
  "lib/settings": typeof lib_settings;
  "lib/taskStatus": typeof lib_taskStatus;
  "lib/templateSeeds": typeof lib_templateSeeds;
  "lib/time": typeof lib_time;
  "lib/uuid": typeof lib_uuid;
  "lib/validators": typeof lib_validators;
  "lib/wire/entities": typeof lib_wire_entities;
  "lib/wire/shapes": typeof lib_wire_shapes;
  logs: typeof logs;
  profiles: typeof profiles;
  projects: typeof projects;
  runnerHttp: typeof runnerHttp;
  runners: typeof runners;
  sounds: typeof sounds;
  system: typeof system;
  tasks: typeof tasks;
  templates: typeof templates;
  workspaces: typeof workspaces;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
