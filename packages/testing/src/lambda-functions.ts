import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { unzipSync } from 'fflate';
import { httpApiEvent } from './lambda-events.js';

/**
 * The zips `npm run package:lambda` makes, run as AWS would run them but
 * on this machine: each unpacked, each handler in a process of its own
 * (scripts/package/lambda-runtime.js), and an HTTP API in front that turns
 * requests into payload 2.0 events, as API Gateway does.
 */
const RUNTIME = fileURLToPath(new URL('../../../scripts/package/lambda-runtime.js', import.meta.url));

/** Unpacks a zip into `dir` (made if missing); returns `dir`. */
export function unpackZip(zip: string, dir: string): string {
  for (const [name, contents] of Object.entries(unzipSync(readFileSync(zip)))) {
    if (name.endsWith('/')) continue;
    const target = path.resolve(dir, name);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`${zip} holds a path outside its folder: ${name}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, contents);
  }
  return dir;
}

export interface Invocation<Result> {
  result: Result;
  /** The handler's time for this invocation. */
  ms: number;
}

export interface LambdaFunction {
  /** The module's load time (Lambda's init phase, before the first invocation). */
  loadMs: number;
  invoke<Result = unknown>(event: unknown): Promise<Invocation<Result>>;
  stop(): Promise<void>;
}

interface RuntimeMessage {
  id?: number;
  ready?: boolean;
  loadMs?: number;
  ok?: boolean;
  result?: unknown;
  error?: string;
  ms?: number;
}

/** Starts one handler of an unpacked zip in its own process (an execution environment), with `env` as its environment. */
export async function startLambdaFunction(dir: string, handler: string, env: NodeJS.ProcessEnv): Promise<LambdaFunction> {
  const child: ChildProcess = fork(RUNTIME, [dir, handler], { env: { ...env, AWS_LAMBDA_FUNCTION_NAME: `${path.basename(dir)}-${handler}` }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: Invocation<unknown>) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const loadMs = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${dir} ${handler}: the runtime exited (${code}) before its module loaded`)));
    child.on('message', (message: RuntimeMessage) => {
      if (message.ready) return resolve(message.loadMs ?? 0);
      const waiting = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiting || message.id === undefined) return;
      pending.delete(message.id);
      if (message.ok) waiting.resolve({ result: message.result, ms: message.ms ?? 0 });
      else waiting.reject(new Error(`${path.basename(dir)}.${handler} failed: ${message.error}`));
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', (code) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${dir} ${handler}: the runtime exited (${code})`));
    pending.clear();
  });
  return {
    loadMs,
    invoke: <Result>(event: unknown) =>
      new Promise<Invocation<Result>>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolve as (value: Invocation<unknown>) => void, reject });
        child.send({ id, event });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface LocalHttpApi {
  /** The API's origin, such as http://127.0.0.1:41234. */
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTP API on loopback in front of functions, by route path (`/graphql`,
 * `/subgraphs/users/graphql`): each POST becomes a payload 2.0 event, its
 * source IP the caller's, and the function's answer becomes the response.
 */
export async function startLocalHttpApi(routes: Record<string, LambdaFunction>): Promise<LocalHttpApi> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const route = routes[new URL(request.url ?? '/', 'http://local').pathname];
      if (!route || request.method !== 'POST') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      const event = eventOf(request, Buffer.concat(chunks).toString('utf8'));
      route.invoke<APIGatewayProxyStructuredResultV2>(event).then(
        ({ result }) => {
          response.writeHead(result.statusCode ?? 200, stringHeaders(result.headers)).end(result.isBase64Encoded ? Buffer.from(String(result.body), 'base64') : (result.body ?? ''));
        },
        () => response.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function eventOf(request: http.IncomingMessage, body: string): APIGatewayProxyEventV2 {
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  const forwarded = request.headers['x-forwarded-for'];
  const event = httpApiEvent({
    body: {},
    path: new URL(request.url ?? '/', 'http://local').pathname,
    sourceIp,
    // API Gateway appends the address it accepted the connection from.
    forwardedFor: [forwarded, sourceIp].filter(Boolean).join(', '),
  });
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && name !== 'x-forwarded-for') event.headers[name] = value;
  }
  event.body = body;
  return event;
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}
