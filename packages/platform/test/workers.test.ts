import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** runInWorkers, in a real process: the workers share the port, one that dies is replaced, SIGTERM stops them all. */
const fixture = fileURLToPath(new URL('./fixtures/workers-server.mjs', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The PID of the worker that answers, on a fresh connection each time (no agent, so none is kept alive). */
function answeringPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(Number(body)));
    });
    request.on('error', () => resolve(undefined));
    // A connection handed to a worker as it was killed is never answered.
    request.setTimeout(1_000, () => request.destroy());
  });
}

async function pidsAnswering(port: number, tries = 40): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let n = 0; n < tries; n += 1) {
    const pid = await answeringPid(port);
    if (pid) pids.add(pid);
  }
  return pids;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('runInWorkers', () => {
  let primary: ChildProcess | undefined;
  afterEach(() => {
    primary?.kill('SIGKILL');
  });

  it('serves one port from every worker, replaces one that dies, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    primary = spawn(process.execPath, [fixture], { env: { ...process.env, WORKERS: '2', PORT: String(port) }, stdio: 'ignore' });
    const first = await until(() => pidsAnswering(port), (pids) => pids.size === 2);
    expect(first.size).toBe(2);

    const [victim] = [...first];
    process.kill(victim as number, 'SIGKILL');
    const after = await until(() => pidsAnswering(port), (pids) => pids.size === 2 && !pids.has(victim as number));
    expect(after.has(victim as number)).toBe(false);
    expect(after.size).toBe(2);

    const exited = new Promise<number | null>((resolve) => primary?.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await answeringPid(port)).toBeUndefined();
  }, 40_000);
});
