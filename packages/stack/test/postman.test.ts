import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import newman, { type NewmanRunSummary } from 'newman';
import { inMemoryEnvironment } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * The Postman collection, run by newman against the embedded default as a
 * person following the README would: every request answers and every test
 * script in it passes. And the committed collection is the one its builder
 * writes.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const chirp = useStack({}, () => inMemoryEnvironment());

function runCollection(baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: `${root}postman/chirp.postman_collection.json`,
        environment: `${root}postman/local.postman_environment.json`,
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        workingDir: `${root}postman`,
        reporters: [],
        timeoutRequest: 15_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

describe('the Postman collection', () => {
  it('passes every test against the embedded default', async () => {
    const summary = await runCollection(new URL(chirp.stack.url).origin);
    const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
    expect(failures).toEqual([]);
    expect(summary.run.stats.requests.failed).toBe(0);
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('is the one scripts/postman/build.js writes', () => {
    expect(() => execFileSync(process.execPath, [`${root}scripts/postman/build.js`, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
