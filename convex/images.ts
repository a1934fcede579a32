// Uploaded images (0.0.71 `images`): bytes in Convex file storage, one row per distinct sha256 (a
// re-upload of the same bytes returns the first record, whatever its name), linked to tasks by taskImages.

import { v } from "convex/values";
import { Doc } from "./_generated/dataModel";
import { internalMutation, internalQuery } from "./_generated/server";
import { byLegacyId } from "./lib/legacyIds";
import { MAX_LIST } from "./lib/limits";
import { millisTimestamp } from "./lib/time";
import { newLegacyId } from "./lib/uuid";
import { nullableString } from "./lib/validators";
import { imageWire, toImageWire } from "./lib/wire/entities";

/** Records an upload already in storage, or returns the existing record with the same hash (and drops the
 * duplicate bytes). Idempotent by hash, so a retried upload cannot create a second record. */
export const create = internalMutation({
  args: {
    storageId: v.id("_storage"),
    extension: v.string(),
    originalName: v.string(),
    mimeType: nullableString,
    sizeBytes: v.number(),
    hash: v.string(),
  },
  returns: imageWire,
  handler: async (ctx, args) => {
    const existing = await ctx.db
      .query("images")
      .withIndex("by_hash", (q) => q.eq("hash", args.hash))
      .first();
    if (existing) {
      if (existing.storageId !== args.storageId) await ctx.storage.delete(args.storageId);
      return toImageWire(existing);
    }
    const now = millisTimestamp(Date.now());
    const id = await ctx.db.insert("images", {
      legacyId: newLegacyId(),
      fileName: `${newLegacyId()}.${args.extension}`,
      storageId: args.storageId,
      originalName: args.originalName,
      mimeType: args.mimeType,
      sizeBytes: args.sizeBytes,
      hash: args.hash,
      createdAt: now,
      updatedAt: now,
    });
    return toImageWire((await ctx.db.get(id)) as Doc<"images">);
  },
});

export const findByHash = internalQuery({
  args: { hash: v.string() },
  returns: v.union(imageWire, v.null()),
  handler: async (ctx, { hash }) => {
    const image = await ctx.db
      .query("images")
      .withIndex("by_hash", (q) => q.eq("hash", hash))
      .first();
    return image ? toImageWire(image) : null;
  },
});

export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(v.object({ image: imageWire, storageId: v.id("_storage") }), v.null()),
  handler: async (ctx, { id }) => {
    const image = await byLegacyId(ctx, "images", id);
    return image ? { image: toImageWire(image), storageId: image.storageId } : null;
  },
});

/** Deletes the record, its bytes and its task/workspace links; an unknown id is not an error. */
export const remove = internalMutation({
  args: { id: v.string() },
  returns: v.null(),
  handler: async (ctx, { id }) => {
    const image = await byLegacyId(ctx, "images", id);
    if (!image) return null;
    const taskLinks = await ctx.db
      .query("taskImages")
      .withIndex("by_imageId", (q) => q.eq("imageId", image._id))
      .take(MAX_LIST);
    const workspaceLinks = await ctx.db
      .query("workspaceImages")
      .withIndex("by_imageId", (q) => q.eq("imageId", image._id))
      .take(MAX_LIST);
    for (const link of [...taskLinks, ...workspaceLinks]) await ctx.db.delete(link._id);
    await ctx.storage.delete(image.storageId);
    await ctx.db.delete(image._id);
    return null;
  },
});

/** A task's images in association order; an unknown task gives []. */
export const listByTask = internalQuery({
  args: { taskId: v.string() },
  returns: v.array(imageWire),
  handler: async (ctx, { taskId }) => {
    const task = await byLegacyId(ctx, "tasks", taskId);
    if (!task) return [];
    const links = await ctx.db
      .query("taskImages")
      .withIndex("by_taskId_and_createdMs", (q) => q.eq("taskId", task._id))
      .take(MAX_LIST);
    const images = await Promise.all(links.map((link) => ctx.db.get(link.imageId)));
    return images.filter((image): image is Doc<"images"> => image !== null).map(toImageWire);
  },
});
