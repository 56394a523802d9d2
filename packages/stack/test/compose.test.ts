import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig, SERVICE_ENVIRONMENT_VARIABLES } from '@chirp/platform';
import { GATEWAY_ENVIRONMENT_VARIABLES, SUBGRAPH_NAMES, loadGatewayConfig } from '@chirp/gateway';
import { DEFAULT_PORT as USERS_PORT } from '@chirp/users';
import { DEFAULT_PORT as TWEETS_PORT } from '@chirp/tweets';
import { DEFAULT_PORT as TIMELINE_PORT } from '@chirp/timeline';
import { DEFAULT_PORT as NOTIFICATIONS_PORT } from '@chirp/notifications';

/**
 * docker-compose.yml, the Dockerfiles, rover.yaml and the code must agree:
 * compose sets only variables the code reads, on the host names and ports
 * the supergraph routes to, and each image holds what its service reads.
 * No Docker engine is needed: the files are parsed and the code's own
 * configuration loader is run on compose's environment.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readText = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
  ports?: unknown[];
  volumes?: unknown[];
}

const compose = parse(readText('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const rover = parse(readText('rover.yaml')) as { subgraphs: Record<string, { routing_url: string }> };

const SUBGRAPH_PORTS: Record<string, number> = {
  users: USERS_PORT,
  tweets: TWEETS_PORT,
  timeline: TIMELINE_PORT,
  notifications: NOTIFICATIONS_PORT,
};
const GATEWAY_PORT = loadGatewayConfig({}).port;
const CHIRP_SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const;
/** Where each Chirp service's workspace lives. */
const serviceFolder = (name: string) => (name === 'gateway' ? 'gateway' : `subgraphs/${name}`);
const defaultPort = (name: string) => (name === 'gateway' ? GATEWAY_PORT : SUBGRAPH_PORTS[name]!);

/** The port each data store image listens on by default, by image name. */
const IMAGE_PORTS: Record<string, number> = { mongo: 27017, redis: 6379, 'apache/kafka': 9092 };
const imageName = (service: ComposeService) => (service.image ?? '').split(':')[0]!;

/** The test value for a variable compose requires (`${VAR:?message}`) from whoever runs it. */
const REQUIRED_VALUE = 'compose-test-value-'.padEnd(40, 'x');

/**
 * Compose's interpolation as `docker compose` would do it with nothing set:
 * `${VAR:-default}` gives its default, `${VAR:?message}` (required from
 * whoever starts the stack) a test value, `$$` a dollar. A bare `$VAR` or
 * `${VAR}` would silently be empty, so it fails the test.
 */
function interpolate(value: string): string {
  const pattern = /\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)/g;
  return value.replace(pattern, (match, name?: string, operator?: string, word?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (operator === ':-' || operator === '-') return word ?? '';
    if (operator === ':?' || operator === '?') return REQUIRED_VALUE;
    throw new Error(`${name ?? bare} is interpolated without a default or a required marker`);
  });
}

function environmentOf(name: string): Record<string, string> {
  const raw = compose.services[name]?.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(raw).map(([key, value]) => [key, value === null ? '' : String(value)] as const);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value)]));
}

function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const raw = service.depends_on ?? [];
  return Array.isArray(raw)
    ? Object.fromEntries(raw.map((name) => [name, undefined]))
    : Object.fromEntries(Object.entries(raw).map(([name, options]) => [name, options.condition]));
}

function dockerfilePathOf(service: ComposeService): string {
  const build = typeof service.build === 'string' ? { context: service.build } : (service.build ?? {});
  return resolve(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

/** The instructions of a Dockerfile, stage by stage (continuation lines joined, comments dropped). */
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Array<{ keyword: string; args: string }>;
}

function parseDockerfile(path: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = rest.replace(/\$\{(\w+)\}/g, (_, arg: string) => args[arg] ?? '').split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [arg = '', value = ''] = rest.split('=');
      args[arg] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** What the final stage of a Dockerfile leaves in the image. */
function runtimeImage(path: string) {
  const { stages } = parseDockerfile(path);
  const stage = stages.at(-1)!;
  let workdir = '/';
  /** Absolute destination of every COPY, with the stage it comes from (undefined: the build context). */
  const copies: Array<{ from: string | undefined; source: string; destination: string }> = [];
  const env: Record<string, string> = {};
  const last: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    last[keyword] = args;
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args);
    if (keyword === 'ENV') {
      for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
    }
    if (keyword === 'COPY') {
      const words = args.split(/\s+/);
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      const [target = '', ...sources] = words.filter((word) => !word.startsWith('--')).reverse();
      for (const source of sources) {
        const destination = target.endsWith('/')
          ? posix.join(posix.resolve(workdir, target), posix.basename(source))
          : posix.resolve(workdir, target);
        copies.push({ from, source: source.replace(/\/$/, ''), destination });
      }
    }
  }
  /** The COPY that puts `file` (an absolute path in the image) there, if any. */
  const copyOf = (file: string) =>
    copies.find(({ destination }) => file === destination || file.startsWith(`${destination}/`));
  return { stages, stage, workdir, env, last, copyOf };
}

/** The @chirp workspaces a package depends on at run time, itself included, by name → folder. */
function runtimeWorkspaces(folder: string): Map<string, string> {
  const folders = new Map<string, string>();
  for (const pattern of JSON.parse(readText('package.json')).workspaces as string[]) {
    const candidates = pattern.endsWith('/*')
      ? readdirSync(resolve(root, pattern.slice(0, -2))).map((entry) => `${pattern.slice(0, -2)}/${entry}`)
      : [pattern];
    for (const candidate of candidates) {
      if (existsSync(resolve(root, candidate, 'package.json'))) {
        folders.set(JSON.parse(readText(`${candidate}/package.json`)).name, candidate);
      }
    }
  }
  const found = new Map<string, string>();
  const visit = (current: string) => {
    const manifest = JSON.parse(readText(`${current}/package.json`));
    found.set(manifest.name, current);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const dependencyFolder = folders.get(dependency);
      if (dependencyFolder && !found.has(dependency)) visit(dependencyFolder);
    }
  };
  visit(folder);
  return found;
}

describe('docker-compose.yml', () => {
  it('builds each Chirp service, and only those, from a Dockerfile that exists', () => {
    const built = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
    expect(built.map(([name]) => name).sort()).toEqual([...CHIRP_SERVICES].sort());
    for (const [, service] of built) {
      expect(existsSync(dockerfilePathOf(service))).toBe(true);
    }
  });

  it('sets on each Chirp service only environment variables the code reads', () => {
    for (const name of CHIRP_SERVICES) {
      const known = new Set([...SERVICE_ENVIRONMENT_VARIABLES, ...(name === 'gateway' ? GATEWAY_ENVIRONMENT_VARIABLES : [])]);
      const unknown = Object.keys(environmentOf(name)).filter((variable) => !known.has(variable));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('runs each Chirp service in production, each subgraph on the data stores of this file', () => {
    const storeAt = (host: string, port: string) => {
      const store = compose.services[host];
      expect({ host, known: store !== undefined }).toEqual({ host, known: true });
      expect({ host, port: Number(port) }).toEqual({ host, port: IMAGE_PORTS[imageName(store!)] });
      return imageName(store!);
    };
    for (const name of CHIRP_SERVICES) {
      const env = environmentOf(name);
      expect(env.NODE_ENV).toBe('production');
      expect(env.JWT_SECRET).toBeTruthy();
    }
    // The gateway talks only to subgraphs.
    expect(environmentOf('gateway')).not.toHaveProperty('MONGODB_URL');
    for (const name of SUBGRAPH_NAMES) {
      const env = environmentOf(name);
      const mongo = new URL(env.MONGODB_URL!);
      expect(storeAt(mongo.hostname, mongo.port)).toBe('mongo');
      const redis = new URL(env.REDIS_URL!);
      expect(storeAt(redis.hostname, redis.port)).toBe('redis');
      for (const broker of env.KAFKA_BROKERS!.split(',')) {
        const [host = '', port = ''] = broker.trim().split(':');
        expect(storeAt(host, port)).toBe('apache/kafka');
        expect(environmentOf(host).KAFKA_ADVERTISED_LISTENERS).toContain(`://${broker.trim()}`);
      }
    }
  });

  it('gives each subgraph the port of its rover.yaml routing URL, and the gateway those URLs', () => {
    const gateway = environmentOf('gateway');
    expect(Object.keys(rover.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    for (const name of SUBGRAPH_NAMES) {
      const routingUrl = rover.subgraphs[name]!.routing_url;
      const url = new URL(routingUrl);
      expect({ name, host: url.hostname, port: Number(url.port) }).toEqual({
        name,
        host: name,
        port: Number(environmentOf(name).PORT),
      });
      expect(gateway[`${name.toUpperCase()}_URL`]).toBe(routingUrl);
    }
    expect(Number(gateway.PORT)).toBe(GATEWAY_PORT);
  });

  it("loads each service's compose environment as a valid production configuration", () => {
    for (const name of SUBGRAPH_NAMES) {
      const config = loadConfig(name, defaultPort(name), environmentOf(name));
      expect(config).toMatchObject({ isProduction: true, host: '0.0.0.0', port: defaultPort(name) });
      expect(config.mongo && config.redis && config.kafka).toBeTruthy();
    }
    const gateway = loadGatewayConfig(environmentOf('gateway'));
    expect(gateway).toMatchObject({ isProduction: true, host: '0.0.0.0', port: GATEWAY_PORT });
    expect(gateway.subgraphUrls).toEqual(
      Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, rover.subgraphs[name]!.routing_url])),
    );
  });

  it('waits for health checks that exist, publishes only the gateway, and keeps data on named volumes', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, condition] of Object.entries(dependenciesOf(service))) {
        const target = compose.services[dependency];
        expect({ name, dependency, exists: target !== undefined }).toEqual({ name, dependency, exists: true });
        if (condition === 'service_healthy') {
          const hasHealthcheck =
            target!.healthcheck !== undefined ||
            (target!.build !== undefined && runtimeImage(dockerfilePathOf(target!)).last.HEALTHCHECK !== undefined);
          expect({ name, dependency, hasHealthcheck }).toEqual({ name, dependency, hasHealthcheck: true });
        }
      }
      expect({ name, published: service.ports !== undefined }).toEqual({ name, published: name === 'gateway' });
    }
    expect(compose.services.gateway!.ports!.map(String)).toContainEqual(expect.stringMatching(new RegExp(`:${GATEWAY_PORT}$`)));
    for (const store of ['mongo', 'redis', 'kafka']) {
      const volumes = (compose.services[store]!.volumes ?? []).map((volume) => String(volume).split(':')[0]!);
      expect(volumes.length).toBeGreaterThan(0);
      for (const volume of volumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    }
  });
});

describe.each(CHIRP_SERVICES.map((name) => [name]))('the %s Dockerfile', (name) => {
  const image = runtimeImage(dockerfilePathOf(compose.services[name]!));
  const folder = serviceFolder(name);
  const appDir = image.workdir;

  it('builds on Node 24 and runs the compiled service as a non-root user, with production dependencies only', () => {
    for (const stage of image.stages) expect(stage.from).toMatch(/^node:24(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]+)?$/);
    const user = image.last.USER ?? 'root';
    expect(['root', '0']).not.toContain(user.split(':')[0]);
    const install = image.stage.instructions.find(({ keyword, args }) => keyword === 'RUN' && /\bnpm ci\b/.test(args));
    expect(install?.args).toMatch(/--omit=dev\b/);
    const { name: packageName } = JSON.parse(readText(`${folder}/package.json`));
    expect(install?.args).toContain(`--workspace=${packageName}`);
    expect(appDir).toBe(posix.join('/app', folder));
    expect(JSON.parse(image.last.CMD ?? 'null')).toEqual(['node', 'dist/main.js']);
    expect(image.env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(defaultPort(name)) });
    expect(image.last.EXPOSE).toBe(String(defaultPort(name)));
    expect(image.last.HEALTHCHECK).toMatch(/fetch\(.*\/healthz/);
  });

  it('copies the files the service reads at run time', () => {
    // Each workspace it runs: its package.json (for the install and for ESM resolution) and its compiled dist/.
    for (const workspace of runtimeWorkspaces(folder).values()) {
      const inImage = posix.join('/app', workspace);
      expect({ file: `${inImage}/package.json`, copied: image.copyOf(`${inImage}/package.json`)?.source }).toEqual({
        file: `${inImage}/package.json`,
        copied: `${workspace}/package.json`,
      });
      expect(image.copyOf(`${inImage}/dist/main.js`)).toMatchObject({ from: expect.any(String), source: `/app/${workspace}/dist` });
    }
    // The schema files, where the code looks for them relative to its compiled modules.
    const compiledModule = `file://${appDir}/dist/module.js`;
    const schemaFile =
      name === 'gateway'
        ? new URL('../../schema/supergraph.graphql', compiledModule).pathname
        : new URL('../schema.graphql', compiledModule).pathname;
    const expectedSource = name === 'gateway' ? 'schema/supergraph.graphql' : `${folder}/schema.graphql`;
    expect(image.copyOf(schemaFile)).toEqual({ from: undefined, source: expectedSource, destination: schemaFile });
    if (name === 'gateway') {
      // The web client, built in its own stage, where the gateway looks for it by default.
      const webDir = new URL('../../web/dist', compiledModule).pathname;
      expect(image.copyOf(`${webDir}/index.html`)).toMatchObject({ from: 'web', source: '/app/web/dist' });
    }
  });
});
