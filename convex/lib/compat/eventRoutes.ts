// GET /api/events: the change feed as 0.0.71's SSE stream. Every entry becomes its own chunk
// `event: json_patch\ndata: [{"op":"add","path":"/entries/<n>","value":{"db_op":…,"record":{"data":…,"type":…}}}]`
// with keys sorted as serde_json::Value prints them; n is the feed's sequence (1, 2, …). The whole history
// comes first, then live entries as they commit; `finished` is never sent; a comment line keeps the
// connection alive every 15 s. An HTTP action's run time is bounded, so the stream ends after a while; the
// reader reconnects with `Last-Event-ID: <last n>` (or `?after=<n>`) and resumes right after it.

import { internal } from "../../_generated/api";
import { ActionCtx } from "../../_generated/server";
import { positiveNumberSetting } from "../deploymentEnv";
import { Handler, Route, route } from "../http/router";
import { ChangeOp, ChangeTable } from "../validators";
import { sortKeysDeep } from "../wire/shapes";

const POLL_MS = 100;
const KEEPALIVE_MS = 15_000;
const DEFAULT_STREAM_MS = 10 * 60_000;

const RECORD_TYPES: Record<ChangeTable, [string, string]> = {
  tasks: ["TASK", "DELETED_TASK"],
  workspaces: ["TASK_ATTEMPT", "DELETED_TASK_ATTEMPT"],
  executionProcesses: ["EXECUTION_PROCESS", "DELETED_EXECUTION_PROCESS"],
};

export function formatChange(entry: { sequence: number; table: ChangeTable; op: ChangeOp; rowid: number; record: unknown }): string {
  const [live, deleted] = RECORD_TYPES[entry.table];
  const record = entry.op === "delete" ? { type: deleted, data: { rowid: entry.rowid } } : { type: live, data: entry.record };
  const patch = [{ op: "add", path: `/entries/${entry.sequence}`, value: { db_op: entry.op, record } }];
  return `event: json_patch\ndata: ${JSON.stringify(sortKeysDeep(patch))}\n\n`;
}

function resumeFrom(request: Request, url: URL): number {
  const raw = request.headers.get("last-event-id") ?? url.searchParams.get("after") ?? "0";
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function streamMs(): number {
  return positiveNumberSetting("EVENTS_STREAM_MAX_MS", DEFAULT_STREAM_MS);
}

export function changeFeedStream(ctx: ActionCtx, after: number, maxMs: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = after;
  let lastSent = Date.now();
  const deadline = Date.now() + maxMs;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!cancelled) {
        const rows = await ctx.runQuery(internal.events.after, { sequence: cursor });
        if (rows.length > 0) {
          for (const row of rows) {
            controller.enqueue(encoder.encode(formatChange(row)));
            cursor = row.sequence;
          }
          lastSent = Date.now();
          return;
        }
        if (Date.now() >= deadline) {
          controller.close();
          return;
        }
        if (Date.now() - lastSent >= KEEPALIVE_MS) {
          controller.enqueue(encoder.encode(":\n\n"));
          lastSent = Date.now();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    cancel() {
      cancelled = true;
    },
  });
}

const events: Handler = async (ctx, rc) =>
  new Response(changeFeedStream(ctx, resumeFrom(rc.request, rc.url), streamMs()), {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });

export const eventRoutes: Route[] = [route("/api/events", { GET: events })];
