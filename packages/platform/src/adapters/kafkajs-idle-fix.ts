/// <reference path="./kafkajs-internals.d.ts" />
// A deep import, so a bundle (the Lambda zips) holds the very module kafkajs's connections use.
import RequestQueueClass from 'kafkajs/src/network/requestQueue/index.js';

/** The part of kafkajs's per-connection request queue the fix touches (kafkajs has no types for it). */
interface RequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

/**
 * kafkajs 2.2.4, the last release, re-checks each broker connection's queue
 * of requests waiting to be sent every millisecond, forever, once a first
 * answer has arrived: when no client-side throttle is in force, the delay
 * it computes is `-1 - Date.now()`, which timers turn into 1 ms (and Node 24
 * warns about as a TimeoutNegativeWarning). Measured here, an idle process
 * holding an admin and a producer ran some 1,750 such timers a second and
 * spent about 5% of a core on them; every Chirp service holds several
 * connections. Upstream issue tulios/kafkajs#1751 (its fixes, #1755 and
 * #1768, are not merged).
 *
 * The fix does what the comment in kafkajs says it means to do: schedule a
 * check only while requests are waiting. Nothing is lost: a request that
 * has to wait schedules the check itself when it is queued, and every answer
 * or timeout checks the queue again.
 */
let stopped = false;

export function stopKafkajsIdlePolling(): void {
  if (stopped) return;
  stopped = true;
  const prototype = (RequestQueueClass as { prototype: RequestQueue }).prototype;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueue): void {
    if (this.pending.length > 0) schedule.call(this);
  };
}
