// The access seam: the one place that decides who may call the candidate. 0.0.71 has no authentication on
// any route, and the compatibility layer serves that contract, so today every request of the compat
// router is allowed (and every domain function is `internal*`, reachable only from the router or from
// trusted code). When Clerk arrives (CONVEX-NOTES "Auth"), this is where `ctx.auth.getUserIdentity()` is
// checked and the caller's identity is derived, never from arguments; the router already calls it first.

import { ActionCtx } from "../_generated/server";

export type Caller = { kind: "anonymous-compat" } | { kind: "user"; tokenIdentifier: string };

export async function authorizeCompatRequest(ctx: ActionCtx, request: Request): Promise<Caller> {
  void request;
  const identity = await ctx.auth.getUserIdentity();
  return identity ? { kind: "user", tokenIdentifier: identity.tokenIdentifier } : { kind: "anonymous-compat" };
}
