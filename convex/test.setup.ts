/// <reference types="vite/client" />
// The module map every convex-test test uses (exported once, as convex-helpers does).
export const modules = import.meta.glob("./**/*.*s");
