import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import {
  DISK_UPLOAD_PATH,
  MAX_REQUEST_BYTES,
  MAX_UPLOAD_FORM_BYTES,
  SERVICE_ENVIRONMENT_VARIABLES,
  createHttpServer,
  createLogger,
  listen,
  loadConfig,
} from '@chirp/platform';
import { GATEWAY_ENVIRONMENT_VARIABLES, SUBGRAPH_NAMES, loadGatewayConfig } from '@chirp/gateway';
import { DEFAULT_PORT as USERS_PORT } from '@chirp/users';
import { DEFAULT_PORT as TWEETS_PORT } from '@chirp/tweets';
import { DEFAULT_PORT as TIMELINE_PORT, TIMELINE_ENVIRONMENT_VARIABLES, loadTimelineSettings } from '@chirp/timeline';
import { DEFAULT_PORT as NOTIFICATIONS_PORT } from '@chirp/notifications';

/**
 * deploy/helm/chirp and the code must agree, as docker-compose.yml
 * (compose.test.ts) and the SAM template (aws-template.test.ts) must: the
 * chart passes `helm lint --strict`, every manifest it renders passes
 * `kubernetes-validate --strict` for the Kubernetes version below, each
 * Deployment sets only variables the code reads and the code's own loaders
 * take its environment as a production configuration, and its probes,
 * ports, shutdown and Ingress are the ones the code serves. No cluster is
 * needed: helm (built from the Go module proxy) and kubernetes-validate (a
 * venv) come from the servers' cache, scripts/servers/ensure.js.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const CHART = resolve(root, 'deploy/helm/chirp');
const readText = (path: string) => readFileSync(resolve(root, path), 'utf8');

/** The Kubernetes version the chart is rendered for and validated against. */
const KUBERNETES_VERSION = '1.30.0';
/** The paths the Ingress sends to the web client (templates/ingress.yaml): "/" and favicon.svg exact, the others as prefixes. */
const WEB_CLIENT_PATHS = ['/', '/assets', '/u', '/login', '/signup', '/notifications', '/settings', '/favicon.svg'];
const RELEASE = 'chirp';
const NAMESPACE = 'chirp';

/** A script of the repository's: plain JavaScript without type declarations, so imported by path and typed by the caller. */
const importScript = <Module>(path: string) => import(resolve(root, path)) as Promise<Module>;

/** Manifests and values are YAML read loosely, checked by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shape Kubernetes allows; each test checks what it reads
type Value = any;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Value;
  data?: Record<string, string>;
}

const SERVICES = ['gateway', ...SUBGRAPH_NAMES] as const;
type ServiceName = (typeof SERVICES)[number];
const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: loadGatewayConfig({}).port,
  users: USERS_PORT,
  tweets: TWEETS_PORT,
  timeline: TIMELINE_PORT,
  notifications: NOTIFICATIONS_PORT,
};

/** The variables a process of this service reads. */
const knownVariables = (service: ServiceName) =>
  new Set([
    ...SERVICE_ENVIRONMENT_VARIABLES,
    ...(service === 'gateway' ? GATEWAY_ENVIRONMENT_VARIABLES : []),
    ...(service === 'timeline' ? TIMELINE_ENVIRONMENT_VARIABLES : []),
  ]);

/** What a Secret made outside Helm (`secrets.existingSecret`) would hold, as the production values expect. */
const EXISTING_SECRET_VALUES: Record<string, string> = {
  JWT_SECRET: 'k'.repeat(40),
  MONGODB_URL: 'mongodb+srv://chirp:password@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority',
  REDIS_URL: 'rediss://:auth-token@master.chirp.abc123.euw1.cache.amazonaws.com:6379',
};

/** The values files rendered: the defaults alone, and a production-like install on top of them. */
const VALUE_SETS = { default: [] as string[], production: ['ci/production-values.yaml'] };
type ValueSet = keyof typeof VALUE_SETS;

// ------------------------------------------------------------------ tools, timed

/** Time spent per tool, printed at the end when it is worth a look. */
const spent = new Map<string, { runs: number; ms: number }>();
const log = (message: string) => process.stderr.write(`[helm-chart] ${message}\n`);

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const entry = spent.get(label) ?? { runs: 0, ms: 0 };
    spent.set(label, { runs: entry.runs + 1, ms: entry.ms + performance.now() - started });
  }
}

afterAll(() => {
  const total = [...spent.values()].reduce((sum, entry) => sum + entry.ms, 0);
  if (total > 3000) {
    const worth = [...spent].filter(([, { ms }]) => ms >= 100);
    log(`time spent (runs in parallel summed): ${worth.map(([label, { runs, ms }]) => `${label} ${(ms / 1000).toFixed(1)}s${runs > 1 ? ` (×${runs})` : ''}`).join(', ')}`);
  }
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[]): Promise<Run> {
  return timed(bin.split('/').at(-1)!, () => new Promise((done) => {
    execFile(bin, args, { cwd: CHART, maxBuffer: 32 << 20, env: { ...process.env, HELM_CACHE_HOME: helmHome, HELM_CONFIG_HOME: helmHome, HELM_DATA_HOME: helmHome } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  }));
}

let helm: string;
let validator: string;
/** helm's own cache, config and data: empty, so that nothing of the machine's (repositories, plugins) takes part. */
const helmHome = mkdtempSync(join(tmpdir(), 'chirp-helm-'));
afterAll(() => rmSync(helmHome, { recursive: true, force: true }));

const valuesArgs = (set: ValueSet) => VALUE_SETS[set].flatMap((file) => ['--values', file]);
const template = (args: string[]) =>
  run(helm, ['template', RELEASE, '.', '--namespace', NAMESPACE, '--kube-version', KUBERNETES_VERSION, ...args]);

/** Values as Helm merges them: maps key by key, anything else replaced. */
function merged(base: Value, override: Value): Value {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const result: Record<string, Value> = { ...base };
  for (const [key, value] of Object.entries(override as Record<string, Value>)) result[key] = merged(base[key], value);
  return result;
}
const isMap = (value: Value) => value !== null && typeof value === 'object' && !Array.isArray(value);

interface Rendered {
  /** The values used (the chart's defaults, then the set's files). */
  values: Value;
  manifests: Manifest[];
  text: string;
}
const rendered = {} as Record<ValueSet, Rendered>;

beforeAll(async () => {
  const ensure = await importScript<{
    ensureHelm(log: (message: string) => void): Promise<{ bin: string }>;
    ensureKubernetesValidate(log: (message: string) => void): Promise<{ bin: string }>;
  }>('scripts/servers/ensure.js');
  // First run only: helm is built from source (a minute or two), the validator installed by pip (~15 s).
  [{ bin: helm }, { bin: validator }] = await Promise.all([
    timed('ensure helm', () => ensure.ensureHelm(log)),
    timed('ensure kubernetes-validate', () => ensure.ensureKubernetesValidate(log)),
  ]);
  const defaults = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
  await Promise.all(
    (Object.keys(VALUE_SETS) as ValueSet[]).map(async (set) => {
      const output = await template(valuesArgs(set));
      if (output.code !== 0) throw new Error(`helm template with the ${set} values failed:\n${output.stderr}`);
      const values = VALUE_SETS[set].reduce((all, file) => merged(all, parse(readFileSync(join(CHART, file), 'utf8'))), defaults);
      const manifests = parseAllDocuments(output.stdout)
        .map((document) => document.toJS() as Manifest | null)
        .filter((manifest): manifest is Manifest => manifest !== null);
      rendered[set] = { values, manifests, text: output.stdout };
    }),
  );
}, 15 * 60_000);

// ------------------------------------------------------------------ reading what was rendered

const fullName = (service: ServiceName) => `${RELEASE}-${service}`;

function only(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
  return found[0]!;
}
const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);

/** The one container of a service's Deployment, and its pod spec. */
function podOf(manifests: Manifest[], service: ServiceName) {
  const deployment = only(manifests, 'Deployment', fullName(service));
  const pod = deployment.spec.template.spec;
  expect(pod.containers).toHaveLength(1);
  return { deployment, pod, container: pod.containers[0], labels: deployment.spec.template.metadata.labels as Record<string, string> };
}

/** Whether a label selector picks these labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The environment a container starts with: its ConfigMaps, then its own entries, the Secret's values filled in. */
function environmentOf(set: ValueSet, service: ServiceName): Record<string, string> {
  const { manifests, values } = rendered[set];
  const { container } = podOf(manifests, service);
  const secretValue = (name: string, key: string) => {
    if (name === values.secrets.existingSecret) return EXISTING_SECRET_VALUES[key];
    const secret = only(manifests, 'Secret', name);
    const data = secret.data?.[key];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    expect(source).toEqual({ configMapRef: { name: expect.any(String) } });
    Object.assign(env, only(manifests, 'ConfigMap', source.configMapRef.name).data);
  }
  for (const entry of container.env ?? []) {
    if ('value' in entry) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) {
      const value = secretValue(entry.valueFrom.secretKeyRef.name, entry.valueFrom.secretKeyRef.key);
      expect({ variable: entry.name, inSecret: value !== undefined }).toEqual({ variable: entry.name, inSecret: true });
      env[entry.name] = value!;
    } else throw new Error(`${service}: ${entry.name} comes from ${JSON.stringify(entry.valueFrom)}, which this test does not read`);
  }
  return env;
}

/** CPU in millicores, memory in bytes, from Kubernetes quantities. */
function quantity(text: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(text));
  if (!match) throw new Error(`not a quantity this test reads: ${text}`);
  const factors: Record<string, number> = { '': 1000, m: 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * factors[match[2] ?? '']!;
}

/** An nginx size (proxy-body-size: `17m`, `256k`, bytes) in bytes. */
function nginxSize(text: string): number {
  const match = /^(\d+)([kKmMgG]?)$/.exec(text);
  if (!match) throw new Error(`not an nginx size: ${text}`);
  return Number(match[1]) * ({ '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 } as Record<string, number>)[match[2]!.toLowerCase()]!;
}

/**
 * How long a process drains on SIGTERM before it closes its connections:
 * Apollo Server's drain plugin's grace period (the gateway closes its
 * WebSockets at once, with 1001, within that drain), as the code sets it
 * or, where it does not, as the installed @apollo/server defaults it.
 */
function drainSeconds(): number {
  const uses = ['gateway/src/gateway.ts', 'packages/platform/src/server.ts'].flatMap((file) => [
    ...readText(file).matchAll(/ApolloServerPluginDrainHttpServer\(\{([^}]*)\}\)/g),
  ]);
  expect(uses.length).toBeGreaterThanOrEqual(2);
  const plugin = readText('node_modules/@apollo/server/dist/esm/plugin/drainHttpServer/index.js');
  const fallback = Number(/stopGracePeriodMillis \?\? ([\d_]+)/.exec(plugin)?.[1]?.replace(/_/g, ''));
  expect(fallback).toBeGreaterThan(0);
  const periods = uses.map(([, options]) => {
    const given = /stopGracePeriodMillis:\s*([\d_]+)/.exec(options!)?.[1];
    return given ? Number(given.replace(/_/g, '')) : fallback;
  });
  return Math.max(...periods) / 1000;
}

/** The gateway's readiness: each subgraph's /readyz, with this timeout (ms). */
function gatewayReadyCheckMs(): number {
  const source = readText('gateway/src/gateway.ts');
  const check = /async function checkSubgraphs[\s\S]*?\n\}/.exec(source)?.[0] ?? '';
  const timeout = /AbortSignal\.timeout\(([\d_]+)\)/.exec(check)?.[1];
  expect({ found: timeout !== undefined }).toEqual({ found: true });
  return Number(timeout!.replace(/_/g, ''));
}

// ------------------------------------------------------------------ the tests

describe('deploy/helm/chirp', () => {
  it('passes helm lint --strict with the default values and with ci/production-values.yaml', async () => {
    const lints = await Promise.all(
      (Object.keys(VALUE_SETS) as ValueSet[]).map(async (set) => {
        const result = await run(helm, ['lint', '.', '--strict', '--kube-version', KUBERNETES_VERSION, ...valuesArgs(set)]);
        const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => /^\[(WARNING|ERROR)\]/.test(line));
        return { set, code: result.code, findings, output: result.code === 0 ? '' : `${result.stdout}${result.stderr}` };
      }),
    );
    expect(lints).toEqual(lints.map(({ set }) => ({ set, code: 0, findings: [], output: '' })));
  });

  it(`renders only manifests that kubernetes-validate --strict accepts for Kubernetes ${KUBERNETES_VERSION}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chirp-manifests-'));
    try {
      const files = (Object.keys(VALUE_SETS) as ValueSet[]).map((set) => {
        const file = join(dir, `${set}.yaml`);
        writeFileSync(file, rendered[set].text);
        return file;
      });
      const result = await run(validator, ['--strict', '--kubernetes-version', KUBERNETES_VERSION, ...files]);
      const lines = result.stdout.split('\n').filter(Boolean);
      // A kind without a schema is only a WARN to the validator, and exit code 0: here it fails too.
      expect({ code: result.code, notPassed: lines.filter((line) => !/^INFO .* passed for resource /.test(line)), stderr: result.stderr }).toEqual({
        code: 0,
        notPassed: [],
        stderr: '',
      });
      const total = Object.values(rendered).reduce((sum, { manifests }) => sum + manifests.length, 0);
      expect(lines).toHaveLength(total);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the probes the chart uses: /healthz for liveness, /readyz failing while a dependency does', async () => {
    let ready = true;
    const { server } = createHttpServer({
      logger: createLogger('helm-chart-test', 'silent'),
      checkReady: async () => {
        if (!ready) throw new Error('a data store does not answer');
      },
    });
    const port = await listen(server, '127.0.0.1', 0);
    try {
      const status = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
      expect([await status('/healthz'), await status('/readyz')]).toEqual([200, 200]);
      ready = false;
      expect([await status('/healthz'), await status('/readyz')]).toEqual([200, 503]);
    } finally {
      await new Promise((done) => server.close(done));
    }
    // Every probe of every rendering asks for exactly those paths.
    for (const { manifests } of Object.values(rendered)) {
      const paths = ofKind(manifests, 'Deployment').flatMap(({ spec }) =>
        spec.template.spec.containers.flatMap((container: Value) =>
          ['startupProbe', 'livenessProbe', 'readinessProbe'].map((probe) => `${probe} ${container[probe]?.httpGet?.path}`),
        ),
      );
      expect(new Set(paths)).toEqual(new Set(['startupProbe /healthz', 'livenessProbe /healthz', 'readinessProbe /readyz']));
    }
  });

  it('refuses values that production or the code would refuse, with an explanation', async () => {
    const refusals = await Promise.all(
      [
        { set: ['jwtSecret=too-short-for-production'], says: 'at least 32 characters' },
        { set: ['media.storage=s3'], says: 'media.s3.bucket' },
        { set: ['shutdown.terminationGracePeriodSeconds=15'], says: 'terminationGracePeriodSeconds' },
        { set: ['kafka.brokers='], says: 'kafka.brokers' },
      ].map(async ({ set, says }) => {
        const result = await template(set.flatMap((value) => ['--set', value]));
        return { set, failed: result.code !== 0, explained: result.stderr.includes(says) };
      }),
    );
    expect(refusals).toEqual(refusals.map(({ set }) => ({ set, failed: true, explained: true })));
  });
});

describe.each(Object.keys(VALUE_SETS).map((set) => [set as ValueSet]))('deploy/helm/chirp rendered with the %s values', (set) => {
  const manifests = () => rendered[set].manifests;
  const values = () => rendered[set].values;

  it('runs a Deployment per service from its image, with a ClusterIP Service on the port the code listens on', () => {
    expect(ofKind(manifests(), 'Deployment').map((deployment) => deployment.metadata.name).sort()).toEqual(SERVICES.map(fullName).sort());
    expect(ofKind(manifests(), 'Service').map((service) => service.metadata.name).sort()).toEqual(SERVICES.map(fullName).sort());
    for (const service of SERVICES) {
      const { pod, container, labels } = podOf(manifests(), service);
      const image = values()[service].image;
      const registry = image.registry || values().image.registry;
      const tag = image.tag || values().image.tag || parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')).appVersion;
      expect({ service, image: container.image }).toEqual({ service, image: `${registry ? `${registry}/` : ''}${image.repository}:${tag}` });
      // The image's own entry point (`node dist/main.js`, see the Dockerfiles): nothing overridden.
      expect({ service, command: container.command, args: container.args }).toEqual({ service, command: undefined, args: undefined });
      expect(pod.enableServiceLinks).toBe(false);

      const port = DEFAULT_PORTS[service];
      expect({ service, ports: container.ports }).toEqual({ service, ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }] });
      expect({ service, PORT: environmentOf(set, service).PORT }).toEqual({ service, PORT: String(port) });
      const svc = only(manifests(), 'Service', fullName(service));
      expect({ service, type: svc.spec.type, ports: svc.spec.ports.map(({ port: p, targetPort }: Value) => ({ port: p, targetPort })) }).toEqual({
        service,
        type: 'ClusterIP',
        ports: [{ port, targetPort: 'http' }],
      });
      // The Service picks this Deployment's pods and no other's.
      for (const other of SERVICES) {
        expect({ service, other, selects: selects(svc.spec.selector, podOf(manifests(), other).labels) }).toEqual({ service, other, selects: other === service });
      }
      expect(selects(svc.spec.selector, labels)).toBe(true);
    }
  });

  it('sets on each Deployment only variables the code reads, and the code loads each environment as production', () => {
    for (const service of SERVICES) {
      const env = environmentOf(set, service);
      const known = knownVariables(service);
      expect({ service, unknown: Object.keys(env).filter((name) => !known.has(name)) }).toEqual({ service, unknown: [] });
    }
    // One signing key for all, from one Secret.
    const keys = SERVICES.map((service) => podOf(manifests(), service).container.env.find((entry: Value) => entry.name === 'JWT_SECRET').valueFrom);
    expect(new Set(keys.map((key) => JSON.stringify(key))).size).toBe(1);
    if (values().secrets.existingSecret) expect(ofKind(manifests(), 'Secret')).toEqual([]);

    for (const name of SUBGRAPH_NAMES) {
      const env = environmentOf(set, name);
      const config = loadConfig(name, DEFAULT_PORTS[name], env);
      expect({ name, production: config.isProduction, host: config.host, port: config.port }).toEqual({
        name,
        production: true,
        host: '0.0.0.0',
        port: DEFAULT_PORTS[name],
      });
      expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
      expect(config.mongo).toMatchObject({ database: `${values().mongodb.dbPrefix}_${name}` });
      expect(config.kafka?.brokers).toEqual(values().kafka.brokers.split(','));
      expect(config.redis?.keyPrefix).toBe(`${values().redis.keyPrefix}${name}:`);
    }
    const timeline = loadTimelineSettings(environmentOf(set, 'timeline'));
    const settings = values().timeline.settings;
    if (settings.maxLength) expect(timeline.maxLength).toBe(Number(settings.maxLength));
    if (settings.celebrityFollowers) expect(timeline.celebrityFollowers).toBe(Number(settings.celebrityFollowers));

    const gatewayEnv = environmentOf(set, 'gateway');
    const gateway = loadGatewayConfig(gatewayEnv);
    expect(gateway).toMatchObject({ isProduction: true, host: '0.0.0.0', port: DEFAULT_PORTS.gateway, subgraphAuth: 'none' });
    expect(gateway.trustProxyHops).toBe(Number(values().gateway.trustProxy));
    expect(gateway.trustProxyHops).toBeGreaterThanOrEqual(1); // behind the ingress controller
    // The gateway talks to Redis and the subgraphs only, each at its Service's name and port.
    expect({ mongo: gatewayEnv.MONGODB_URL, kafka: gatewayEnv.KAFKA_BROKERS, redis: Boolean(gateway.redis) }).toEqual({ mongo: undefined, kafka: undefined, redis: true });
    expect(gateway.subgraphUrls).toEqual(
      Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://${fullName(name)}:${only(manifests(), 'Service', fullName(name)).spec.ports[0].port}/graphql`])),
    );
  });

  it('keeps pictures where users and gateway pods share them: one ReadWriteMany volume (disk), or the bucket (s3)', () => {
    const storage = values().media.storage;
    const users = loadConfig('users', USERS_PORT, environmentOf(set, 'users')).media;
    const gateway = loadGatewayConfig(environmentOf(set, 'gateway')).media;
    expect([users.kind, gateway.kind]).toEqual([storage, storage]);
    if (users.kind === 's3' && gateway.kind === 's3') {
      expect(users).toEqual(gateway);
      expect(users).toMatchObject({ bucket: values().media.s3.bucket, region: values().media.s3.region });
      expect(ofKind(manifests(), 'PersistentVolumeClaim')).toEqual([]);
    }
    if (users.kind === 'disk' && gateway.kind === 'disk') {
      expect(users.dir).toBe(gateway.dir);
      const claims = (['users', 'gateway'] as const).map((service) => {
        const { pod, container } = podOf(manifests(), service);
        const mount = container.volumeMounts.find((candidate: Value) => candidate.mountPath === users.dir);
        return pod.volumes.find((volume: Value) => volume.name === mount?.name)?.persistentVolumeClaim?.claimName;
      });
      expect(claims[0]).toBeDefined();
      expect(claims[1]).toBe(claims[0]);
      const claim = ofKind(manifests(), 'PersistentVolumeClaim').find((candidate) => candidate.metadata.name === claims[0]);
      if (!values().media.disk.existingClaim) expect(claim?.spec.accessModes).toEqual(['ReadWriteMany']);
      // The upload forms name the gateway's public origin, where the Ingress routes /media.
      const ingress = ofKind(manifests(), 'Ingress')[0];
      if (ingress && !values().media.baseUrl) {
        expect(users.baseUrl).toBe(`${ingress.spec.tls ? 'https' : 'http'}://${ingress.spec.rules[0].host}`);
      }
    }
  });

  it('runs every container as non-root on a read-only root filesystem, writing only to its volumes', () => {
    // The images run as `node` (their Dockerfiles' USER), uid 1000 in the node images: given as a number, so that the kubelet can check it.
    for (const service of SERVICES) {
      const folder = service === 'gateway' ? 'gateway' : `subgraphs/${service}`;
      expect(readText(`${folder}/Dockerfile`)).toMatch(/^USER node$/m);
      const { pod, container } = podOf(manifests(), service);
      expect({ service, pod: pod.securityContext }).toMatchObject({
        service,
        pod: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      });
      expect({ service, container: container.securityContext }).toEqual({
        service,
        container: expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }),
      });
      expect(container.securityContext.privileged).not.toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      // Writable: an emptyDir at /tmp (os.tmpdir()), and the media directory where the service keeps pictures on disk.
      const writable = container.volumeMounts.map((mount: Value) => {
        const volume = pod.volumes.find((candidate: Value) => candidate.name === mount.name);
        return { path: mount.mountPath, from: Object.keys(volume).find((key) => key !== 'name') };
      });
      expect(writable).toContainEqual({ path: '/tmp', from: 'emptyDir' });
      const media = (service === 'gateway' ? loadGatewayConfig(environmentOf(set, service)) : loadConfig(service, DEFAULT_PORTS[service], environmentOf(set, service))).media;
      if (media.kind === 'disk' && (service === 'users' || service === 'gateway')) {
        expect(writable).toContainEqual({ path: media.dir, from: 'persistentVolumeClaim' });
      }
      if (media.kind === 'disk') {
        expect({ service, dirIsWritable: writable.some(({ path }: { path: string }) => media.dir === path || media.dir.startsWith(`${path}/`)) }).toEqual({ service, dirIsWritable: true });
      }
    }
  });

  it('sets CPU and memory requests and limits on every container, requests within limits', () => {
    for (const service of SERVICES) {
      const { resources } = podOf(manifests(), service).container;
      for (const resource of ['cpu', 'memory']) {
        const request = resources?.requests?.[resource];
        const limit = resources?.limits?.[resource];
        expect({ service, resource, request: request !== undefined, limit: limit !== undefined }).toEqual({ service, resource, request: true, limit: true });
        expect({ service, resource, withinLimit: quantity(request) <= quantity(limit) }).toEqual({ service, resource, withinLimit: true });
      }
      // One Node event loop per worker: a CPU limit of at least one core per worker.
      const workers = Number(environmentOf(set, service).WORKERS ?? 1);
      expect({ service, cpuPerWorker: quantity(resources.limits.cpu) / workers >= 1000 }).toEqual({ service, cpuPerWorker: true });
    }
  });

  it('gives each Deployment a CPU HorizontalPodAutoscaler (autoscaling/v2) and a PodDisruptionBudget over its pods', () => {
    for (const service of SERVICES) {
      const { deployment, labels } = podOf(manifests(), service);
      const hpas = ofKind(manifests(), 'HorizontalPodAutoscaler').filter((hpa) => hpa.spec.scaleTargetRef.name === deployment.metadata.name);
      expect({ service, hpas: hpas.map((hpa) => hpa.apiVersion) }).toEqual({ service, hpas: ['autoscaling/v2'] });
      const hpa = hpas[0]!.spec;
      expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(hpa.metrics).toContainEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } });
      expect({ service, min: hpa.minReplicas >= 2, max: hpa.maxReplicas >= hpa.minReplicas }).toEqual({ service, min: true, max: true });
      // The autoscaler owns the replica count.
      expect(deployment.spec.replicas).toBeUndefined();
      expect(deployment.spec.strategy.rollingUpdate).toMatchObject({ maxUnavailable: 0 });

      const pdbs = ofKind(manifests(), 'PodDisruptionBudget').filter((pdb) => selects(pdb.spec.selector.matchLabels, labels));
      expect({ service, pdbs: pdbs.map((pdb) => pdb.apiVersion) }).toEqual({ service, pdbs: ['policy/v1'] });
      expect({ service, bounded: pdbs[0]!.spec.maxUnavailable !== undefined || pdbs[0]!.spec.minAvailable !== undefined }).toEqual({ service, bounded: true });
      // The budget leaves room to evict while the autoscaler's minimum runs.
      expect(pdbs[0]!.spec.maxUnavailable ?? hpa.minReplicas - pdbs[0]!.spec.minAvailable).toBeGreaterThanOrEqual(1);
    }
  });

  it('stops gracefully: out of the endpoints during the preStop sleep, then SIGTERM and the drain, all within the grace period', () => {
    const drain = drainSeconds();
    for (const service of SERVICES) {
      const { pod, container } = podOf(manifests(), service);
      const command = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
      expect({ service, command: command?.[0], args: command?.length }).toEqual({ service, command: 'sleep', args: 2 });
      const sleep = Number(command![1]);
      expect(sleep).toBeGreaterThanOrEqual(5);
      // The grace period counts from the stop, the preStop sleep included; the drain comes after it, then closing.
      const grace = pod.terminationGracePeriodSeconds as number;
      expect({ service, grace, enough: grace >= sleep + drain + 10 }).toEqual({ service, grace, enough: true });
      // Readiness waits longer than the gateway's check of each subgraph.
      expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(gatewayReadyCheckMs());
    }
  });

  it('routes /graphql to the gateway through the Ingress, for WebSockets too, /media on disk, and the web client, nothing else', () => {
    const [ingress, ...others] = ofKind(manifests(), 'Ingress');
    expect(others).toEqual([]);
    const gatewayService = only(manifests(), 'Service', fullName('gateway'));
    const routes = ingress!.spec.rules.flatMap((rule: Value) =>
      rule.http.paths.map((path: Value) => ({ host: rule.host, path: path.path, pathType: path.pathType, backend: path.backend.service })),
    );
    const toGateway = { name: gatewayService.metadata.name, port: { name: gatewayService.spec.ports[0].name } };
    const host = values().ingress.host;
    expect(routes.filter((route: { path: string }) => !WEB_CLIENT_PATHS.includes(route.path))).toEqual([
      { host, path: '/graphql', pathType: 'Exact', backend: toGateway },
      ...(values().media.storage === 'disk' ? [{ host, path: DISK_UPLOAD_PATH, pathType: 'Prefix', backend: toGateway }] : []),
    ]);
    // The web client: every first segment of its routes, its files, and nothing that would pass /metrics or the probes.
    const web = routes.filter((route: { path: string }) => WEB_CLIENT_PATHS.includes(route.path));
    expect(web.map((route: { path: string }) => route.path).sort()).toEqual(values().gateway.web ? [...WEB_CLIENT_PATHS].sort() : []);
    for (const route of web) expect(route).toEqual({ host, path: route.path, pathType: ['/', '/favicon.svg'].includes(route.path) ? 'Exact' : 'Prefix', backend: toGateway });
    const annotations = ingress!.metadata.annotations ?? {};
    // WebSockets stay open far longer than ingress-nginx's default minute between reads.
    for (const timeout of ['proxy-read-timeout', 'proxy-send-timeout']) {
      const seconds = Number(annotations[`nginx.ingress.kubernetes.io/${timeout}`]);
      expect({ timeout, seconds, anHourAtLeast: seconds >= 3600 }).toEqual({ timeout, seconds, anHourAtLeast: true });
    }
    const bodyLimit = nginxSize(annotations['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '');
    expect(bodyLimit).toBeGreaterThanOrEqual(values().media.storage === 'disk' ? MAX_UPLOAD_FORM_BYTES : MAX_REQUEST_BYTES);
    if (values().ingress.tls.enabled) expect(ingress!.spec.tls).toEqual([{ hosts: [host], secretName: values().ingress.tls.secretName }]);
  });

  it("sends every route and file of the web client through the Ingress", () => {
    const routes = [...readText('web/src/App.tsx').matchAll(/<Route path="([^"]+)"/g)].map((match) => match[1]!);
    const files = readdirSync(resolve(root, 'web/public')).map((file) => `/${file}`);
    expect(routes).toContain('/u/:handle/:tab?');
    for (const path of [...routes, ...files, '/assets/index-abc.js']) {
      const first = `/${path.split('/')[1]}`;
      expect({ path, routed: WEB_CLIENT_PATHS.includes(path) || (first !== '/' && WEB_CLIENT_PATHS.includes(first)) }).toEqual({ path, routed: true });
    }
  });

  it('lets only the gateway reach the subgraphs', () => {
    const policies = ofKind(manifests(), 'NetworkPolicy');
    const gatewayLabels = podOf(manifests(), 'gateway').labels;
    for (const name of SUBGRAPH_NAMES) {
      const mine = policies.filter((policy) => selects(policy.spec.podSelector.matchLabels, podOf(manifests(), name).labels));
      expect({ name, policies: mine.length }).toEqual({ name, policies: 1 });
      const [rule, ...more] = mine[0]!.spec.ingress;
      expect(more).toEqual([]);
      expect(rule.from[0]).toEqual({ podSelector: { matchLabels: expect.any(Object) } });
      expect(selects(rule.from[0].podSelector.matchLabels, gatewayLabels)).toBe(true);
      expect(rule.from.slice(1)).toEqual(values().networkPolicy.extraFrom);
      expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    }
    // The gateway is the public edge: no policy picks it.
    expect(policies.filter((policy) => selects(policy.spec.podSelector.matchLabels, gatewayLabels))).toEqual([]);
  });
});
