import { useEffect, useState } from 'react';
import type { Problem } from '../errors';

/** Seconds until a RATE_LIMITED problem may be retried; 0 when it may (or is not one). */
export function useRetryCountdown(problem: Problem | null): number {
  const [now, setNow] = useState(Date.now());
  const retryAt = problem?.retryAt;
  useEffect(() => {
    if (!retryAt) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [retryAt]);
  return retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
}

/** A problem in plain words, announced to screen readers as it appears. */
export function ProblemNote({ problem, id }: { problem: Problem | null; id?: string }) {
  const wait = useRetryCountdown(problem);
  if (!problem) return null;
  return (
    <p className="problem" role="alert" id={id} data-code={problem.code}>
      {problem.message}
      {problem.retryAt ? (wait > 0 ? ` You can try again in ${wait} s.` : ' You can try again now.') : null}
    </p>
  );
}
