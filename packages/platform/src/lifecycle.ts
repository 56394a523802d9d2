import type { Logger } from './logger.js';

/** Stops cleanly on SIGINT/SIGTERM (Kubernetes sends SIGTERM, then waits before SIGKILL). */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  // `on`, not `once`: a second signal (Ctrl+C reaches a worker both from the
  // terminal and from its primary) must not kill a process that is stopping.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
