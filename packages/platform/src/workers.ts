import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.js';

/** How long a worker that died unexpectedly waits before it is started again, doubling while it keeps dying young. */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that lived this long was healthy: the next restart waits the shortest delay again. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * Runs a service in `count` worker processes (node:cluster), so one
 * instance uses as many cores as it is given: the workers share the port
 * (the primary hands each new connection to the next worker), and each is
 * a whole instance of the service, as a replica would be (its own Kafka
 * consumer in the group, its own outbox sweeper, its own live connections).
 * The primary only keeps them running: it starts a worker again when one
 * dies, and on SIGTERM or SIGINT passes the signal on and waits for them
 * to stop. With one worker (the default) the service runs in this process,
 * exactly as before.
 */
export async function runInWorkers(count: number, logger: Logger, run: () => Promise<void>): Promise<void> {
  if (count <= 1 || !cluster.isPrimary) return run();
  let stopping = false;
  const started = new Map<Worker, number>();
  let restartDelayMs = RESTART_DELAY_MS;

  const fork = () => started.set(cluster.fork(), Date.now());
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? Date.now());
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) process.exit(0);
      return;
    }
    restartDelayMs = lived > HEALTHY_AFTER_MS ? RESTART_DELAY_MS : Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS);
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: restartDelayMs }, 'a worker stopped unexpectedly; starting another');
    setTimeout(fork, restartDelayMs).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: started.size }, 'stopping the workers');
    for (const worker of started.keys()) worker.process.kill(signal);
    if (started.size === 0) process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  for (let n = 0; n < count; n += 1) fork();
  logger.info({ workers: count }, 'started the workers');
}
