import { LocalSink, MetricsLogger, Unit } from 'aws-embedded-metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger.js';

/**
 * Every metric a service records, defined once: exposed for Prometheus at
 * `/metrics` (prom-client), and written to stdout in CloudWatch Embedded
 * Metric Format (aws-embedded-metrics) once a minute and at stop, where
 * `METRICS_EMF` is on (production by default: on Lambda, and in a
 * container whose stdout goes to CloudWatch Logs, CloudWatch makes metrics
 * of the lines). Every metric carries the service's name.
 */
const DEFINITIONS = {
  requests: { type: 'counter', emf: 'Requests', unit: Unit.Count, help: 'GraphQL operations answered', labels: ['operation'] },
  requestMs: {
    type: 'histogram', emf: 'Latency', unit: Unit.Milliseconds, help: 'Time to answer a GraphQL operation, in ms', labels: ['operation'],
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000],
  },
  errors: { type: 'counter', emf: 'Errors', unit: Unit.Count, help: 'GraphQL errors answered, by code', labels: ['code'] },
  fanoutFollowers: {
    type: 'histogram', emf: 'FanoutSize', unit: Unit.Count, help: 'Followers a new tweet was fanned out to', labels: [],
    buckets: [0, 10, 100, 1000, 10000, 100000],
  },
  fanoutMs: {
    type: 'histogram', emf: 'FanoutDuration', unit: Unit.Milliseconds, help: 'Time to fan a new tweet out, in ms', labels: [],
    buckets: [1, 5, 25, 100, 250, 1000, 5000, 30000],
  },
  pushes: { type: 'counter', emf: 'Pushes', unit: Unit.Count, help: 'Live pushes announced to open subscriptions', labels: ['stream'] },
  consumerLag: { type: 'gauge', emf: 'ConsumerLag', unit: Unit.Count, help: 'Events a consumer group has yet to process, by topic', labels: ['group'] },
} as const;

export type MetricName = keyof typeof DEFINITIONS;
type LabelsOf<Name extends MetricName> = Record<(typeof DEFINITIONS)[Name]['labels'][number], string>;

/** Values kept per metric and label set between two EMF lines (a minute): past this, one in two is kept. */
const MAX_VALUES_PER_SERIES = 1000;
/** GraphQL operation names are the client's words: a name is a label only if it looks like one, and among the first this many. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const KNOWN_ERROR_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

interface Series {
  name: MetricName;
  labels: Record<string, string>;
  values: number[];
}

export interface MetricsOptions {
  service: string;
  /** Write EMF lines to stdout (see above). */
  emf: boolean;
  logger: Logger;
  /** How often EMF lines are written. */
  emfIntervalMs?: number;
}

export class Metrics {
  /** Prometheus text for `/metrics`. */
  readonly registry = new Registry();
  private readonly prometheus = new Map<MetricName, Counter | Histogram | Gauge>();
  private readonly pending = new Map<string, Series>();
  private readonly operations = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MetricsOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    for (const [name, definition] of Object.entries(DEFINITIONS) as Array<[MetricName, (typeof DEFINITIONS)[MetricName]]>) {
      const common = { name: `chirp_${snake(name)}`, help: definition.help, labelNames: [...definition.labels], registers: [this.registry] };
      this.prometheus.set(
        name,
        definition.type === 'counter' ? new Counter(common) : definition.type === 'gauge' ? new Gauge(common) : new Histogram({ ...common, buckets: [...definition.buckets] }),
      );
    }
    if (options.emf) this.timer = setInterval(() => void this.flush(), options.emfIntervalMs ?? 60_000).unref();
  }

  /** Adds to a counter, or records a value of a histogram or gauge. */
  record<Name extends MetricName>(name: Name, value: number, labels: LabelsOf<Name>): void {
    const metric = this.prometheus.get(name);
    if (metric instanceof Counter) metric.inc(labels, value);
    else if (metric instanceof Histogram) metric.observe(labels, value);
    else if (metric instanceof Gauge) metric.set(labels, value);
    if (this.options.emf) this.keep(name, value, labels);
  }

  /** The label for a client's operation name: itself when it looks like a name and there are not too many, else "other". */
  operationLabel(operationName: string | null | undefined): string {
    if (!operationName) return 'anonymous';
    if (this.operations.has(operationName)) return operationName;
    if (!OPERATION_NAME.test(operationName) || this.operations.size >= MAX_OPERATION_NAMES) return 'other';
    this.operations.add(operationName);
    return operationName;
  }

  /** Writes what was recorded since the last call as EMF lines: one per label set, its values listed. */
  async flush(): Promise<void> {
    const series = [...this.pending.values()];
    this.pending.clear();
    const byLabels = new Map<string, Series[]>();
    for (const one of series) byLabels.set(JSON.stringify(one.labels), [...(byLabels.get(JSON.stringify(one.labels)) ?? []), one]);
    for (const group of byLabels.values()) {
      const logger = new MetricsLogger(async () => STDOUT);
      logger.setNamespace('Chirp');
      logger.setDimensions({ Service: this.options.service, ...dimensionNames((group[0] as Series).labels) });
      for (const { name, values } of group) {
        const unit = DEFINITIONS[name].unit;
        const summed = DEFINITIONS[name].type === 'counter' ? [values.reduce((sum, value) => sum + value, 0)] : values;
        for (const value of summed) logger.putMetric(DEFINITIONS[name].emf, value, unit);
      }
      await logger.flush().catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not write EMF metrics'));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.options.emf) await this.flush();
  }

  private keep(name: MetricName, value: number, labels: Record<string, string>): void {
    const key = `${name}|${JSON.stringify(labels)}`;
    const series = this.pending.get(key) ?? { name, labels, values: [] };
    if (DEFINITIONS[name].type === 'gauge') series.values = [value];
    else if (series.values.length < MAX_VALUES_PER_SERIES) series.values.push(value);
    else if (Math.random() < 0.5) series.values[Math.floor(Math.random() * series.values.length)] = value;
    this.pending.set(key, series);
  }
}

/**
 * Where EMF lines go: stdout, wherever the service runs (Lambda's log
 * stream, or a container's, which CloudWatch Logs reads). The library would
 * otherwise probe its surroundings when first loaded and, in a container,
 * send them to a CloudWatch agent's socket.
 */
type Environment = Awaited<ReturnType<ConstructorParameters<typeof MetricsLogger>[0]>>;
const stdoutSink = new LocalSink();
const STDOUT: Environment = {
  probe: async () => true,
  getName: () => 'Chirp',
  getType: () => 'Local',
  getLogGroupName: () => '',
  configureContext: () => undefined,
  getSink: () => stdoutSink,
};

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) + (DEFINITIONS[name as MetricName].type === 'counter' ? '_total' : '');

/** EMF dimensions are named like CloudWatch's (Operation, Code…). */
function dimensionNames(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([key, value]) => [`${key.charAt(0).toUpperCase()}${key.slice(1)}`, value]));
}
