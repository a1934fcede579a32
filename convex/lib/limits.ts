// Bounds on reads (Convex queries must not scan unboundedly). 0.0.71 returns whole lists; these caps are far
// above what a local kanban holds, and a list that hits one is truncated, never an error.
export const MAX_LIST = 1000; // projects, tasks per project, attempts, processes per attempt, templates
export const MAX_PER_PARENT = 200; // attempts per task, processes scanned per attempt for status flags
export const EVENTS_BATCH = 100; // change-feed entries per /api/events read
