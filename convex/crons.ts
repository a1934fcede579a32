// Scheduled maintenance of the runner protocol. (The local test host runs these on a timer of its own,
// since convex-test has no cron scheduler.)
import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

crons.interval("requeue or expire commands whose runner lease ran out", { seconds: 10 }, internal.commands.sweep, {});
crons.interval("forget nonces older than the replay window", { minutes: 5 }, internal.runners.purgeNonces, {});

export default crons;
