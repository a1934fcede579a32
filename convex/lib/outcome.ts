// How a domain function tells the HTTP edge which of 0.0.71's answers to give (CONTRACT.md §1 shapes):
// `soft` = shape A (200, success:false, message); `api` = shape C (envelope with "<Kind>Error: ..." at a
// status, usually 500); `notFound` = shape D (404, empty body); `bare` = shape F (empty body at a status).

import { GenericValidator, v } from "convex/values";

export const failure = v.union(
  v.object({ shape: v.literal("soft"), message: v.string() }),
  v.object({ shape: v.literal("api"), status: v.number(), message: v.string() }),
  v.object({ shape: v.literal("notFound") }),
  v.object({ shape: v.literal("bare"), status: v.number() }),
);

export type Failure =
  | { shape: "soft"; message: string }
  | { shape: "api"; status: number; message: string }
  | { shape: "notFound" }
  | { shape: "bare"; status: number };

export type Outcome<T> = { ok: true; data: T } | { ok: false; failure: Failure };

export function outcome<V extends GenericValidator>(data: V) {
  return v.union(v.object({ ok: v.literal(true), data }), v.object({ ok: v.literal(false), failure }));
}

export const ok = <T>(data: T): { ok: true; data: T } => ({ ok: true, data });
export const soft = (message: string): { ok: false; failure: Failure } => ({ ok: false, failure: { shape: "soft", message } });
export const apiError = (message: string, status = 500): { ok: false; failure: Failure } => ({
  ok: false,
  failure: { shape: "api", status, message },
});
export const notFound = (): { ok: false; failure: Failure } => ({ ok: false, failure: { shape: "notFound" } });
export const bare = (status: number): { ok: false; failure: Failure } => ({ ok: false, failure: { shape: "bare", status } });

// The primary's texts for SQLite failures the candidate reproduces by checking first.
export const FK_FAILED = "error returned from database: (code: 787) FOREIGN KEY constraint failed";
export const ROW_NOT_FOUND = "DatabaseError: no rows returned by a query that expected to return at least one row";
