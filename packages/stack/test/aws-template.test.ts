import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type CollectionTag, type ScalarTag, type YAMLSeq } from 'yaml';
import {
  LAMBDA_ENVIRONMENT_VARIABLES,
  SERVICE_ENVIRONMENT_VARIABLES,
  createLogger,
  loadConfig,
  resolveSecrets,
  type EventBus,
  type SecretSource,
} from '@chirp/platform';
import { GATEWAY_ENVIRONMENT_VARIABLES, SUBGRAPH_NAMES, loadGatewayConfig } from '@chirp/gateway';
import * as gatewayLambda from '@chirp/gateway/lambda';
import * as usersLambda from '@chirp/users/lambda';
import * as tweetsLambda from '@chirp/tweets/lambda';
import * as timelineLambda from '@chirp/timeline/lambda';
import * as notificationsLambda from '@chirp/notifications/lambda';
import { AUTHORS_GROUP, FANOUT_GROUP, FOLLOW_GRAPH_GROUP, LIKES_GROUP, TIMELINE_ENVIRONMENT_VARIABLES, loadTimelineSettings } from '@chirp/timeline';
import { NOTIFICATIONS_GROUP } from '@chirp/notifications';
import { startConsumers as startTimelineConsumers } from '../../../subgraphs/timeline/src/events/consumers.js';
import { startConsumers as startNotificationsConsumers } from '../../../subgraphs/notifications/src/events/consumers.js';
import { subgraphRequestSigner } from '../../../gateway/src/subgraph-auth.js';

/**
 * deploy/aws/template.yaml (AWS SAM) and the code must agree, as
 * docker-compose.yml must (compose.test.ts): cfn-lint finds neither errors
 * nor warnings in it, each function runs a handler its zip exports with
 * only variables the code reads, and the code's own loaders accept that
 * environment as a production configuration. No AWS account is needed:
 * cfn-lint expands the SAM transform offline, and the template's
 * intrinsic functions are evaluated here with sample parameters.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const TEMPLATE = resolve(root, 'deploy/aws/template.yaml');

/** A script of the repository's: plain JavaScript without type declarations, so imported by path and typed by the caller. */
const importScript = <Module>(path: string) => import(resolve(root, path)) as Promise<Module>;

// ------------------------------------------------------------------ the template, parsed

/** CloudFormation's short forms (`!Ref X`, `!Sub [...]`) as the long forms they stand for. */
const INTRINSICS = ['And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAZs', 'If', 'ImportValue', 'Join', 'Not', 'Or', 'Select', 'Split', 'Sub'];
const cloudFormationTags: Array<ScalarTag | CollectionTag> = [
  { tag: '!Ref', resolve: (name: string) => ({ Ref: name }) },
  { tag: '!Condition', resolve: (name: string) => ({ Condition: name }) },
  // `!GetAtt Redis.PrimaryEndPoint.Address`: the resource, then the (dotted) attribute.
  { tag: '!GetAtt', resolve: (text: string) => ({ 'Fn::GetAtt': [text.slice(0, text.indexOf('.')), text.slice(text.indexOf('.') + 1)] }) },
  { tag: '!GetAtt', collection: 'seq', resolve: (seq) => ({ 'Fn::GetAtt': (seq as YAMLSeq).toJSON() }) },
  ...INTRINSICS.flatMap((name): Array<ScalarTag | CollectionTag> => [
    { tag: `!${name}`, resolve: (text: string) => ({ [`Fn::${name}`]: text }) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [`Fn::${name}`]: (seq as YAMLSeq).toJSON() }) },
  ]),
];

/** Template values are JSON with intrinsic functions in it: read loosely, checked by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shape CloudFormation allows; each test checks what it reads
type Value = any;
interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, Value>;
}
interface Template {
  Parameters: Record<string, { Type: string; Default?: string | number; AllowedPattern?: string }>;
  Conditions: Record<string, Value>;
  Globals: { Function: Record<string, Value> };
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: Value }>;
}

const template = parse(readFileSync(TEMPLATE, 'utf8'), { customTags: cloudFormationTags }) as Template;
const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

// ------------------------------------------------------------------ intrinsic functions, evaluated

/** Parameters as someone deploying would give them (the rest keep their defaults). */
const SAMPLE_PARAMETERS: Record<string, string> = {
  AtlasConnectionSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chirp/atlas-AbCdEf',
  KafkaBrokers: 'b-1.chirp.abc123.c2.kafka.eu-west-1.amazonaws.com:9092,b-2.chirp.abc123.c2.kafka.eu-west-1.amazonaws.com:9092',
  KafkaTopicPrefix: 'prod.',
  GatewayImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/chirp-gateway:1.0.0',
  AllowedOrigins: 'https://chirp.example.com',
};
const MSK_CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/chirp/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-2';
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'chirp',
};
const NO_VALUE = Symbol('AWS::NoValue');

interface Scope {
  parameters: Record<string, string | string[]>;
  conditions: Record<string, boolean>;
}

function scopeWith(overrides: Record<string, string> = {}): Scope {
  const parameters: Scope['parameters'] = {};
  for (const [name, parameter] of Object.entries(template.Parameters)) {
    const given = overrides[name] ?? SAMPLE_PARAMETERS[name] ?? parameter.Default;
    if (given === undefined) throw new Error(`parameter ${name} has no default: give it a sample value in SAMPLE_PARAMETERS`);
    parameters[name] = parameter.Type === 'CommaDelimitedList' ? String(given).split(',') : String(given);
  }
  const scope: Scope = { parameters, conditions: {} };
  for (const [name, condition] of Object.entries(template.Conditions)) scope.conditions[name] = Boolean(evaluate(condition, scope));
  return scope;
}

/**
 * A template value with its intrinsic functions worked out: parameters and
 * pseudo parameters by their values, a resource by a placeholder (its
 * logical id in lower case, as an API id or a host name would look), an
 * attribute likewise (a port by the resource's own Port).
 */
function evaluate(value: Value, scope: Scope): Value {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, Value>);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))) {
    switch (key) {
      case 'Ref':
        return reference(argument as string, scope);
      case 'Condition':
        return scope.conditions[argument as string];
      case 'Fn::GetAtt':
        return attribute(argument[0], argument[1]);
      case 'Fn::Sub':
        return substitute(argument, scope);
      case 'Fn::If':
        if (!(argument[0] in scope.conditions)) throw new Error(`unknown condition ${argument[0]}`);
        return evaluate(scope.conditions[argument[0]] ? argument[1] : argument[2], scope);
      case 'Fn::Equals':
        return JSON.stringify(evaluate(argument[0], scope)) === JSON.stringify(evaluate(argument[1], scope));
      case 'Fn::Not':
        return !evaluate(argument[0], scope);
      case 'Fn::Split':
        return String(evaluate(argument[1], scope)).split(argument[0]);
      case 'Fn::Join':
        return (evaluate(argument[1], scope) as string[]).join(argument[0]);
      default:
        throw new Error(`this test does not evaluate ${key}; teach evaluate() if the template needs it here`);
    }
  }
  return Object.fromEntries(entries.map(([name, item]) => [name, evaluate(item, scope)]).filter(([, item]) => item !== NO_VALUE));
}

function reference(name: string, scope: Scope): Value {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name];
  if (name in scope.parameters) return scope.parameters[name];
  if (name in template.Resources) return name.toLowerCase();
  throw new Error(`Ref to ${name}, which is neither a parameter nor a resource`);
}

function attribute(resource: string, name: string): string {
  if (!(resource in template.Resources)) throw new Error(`GetAtt of ${resource}, which is not a resource`);
  if (name.endsWith('Port')) return String(template.Resources[resource]!.Properties.Port);
  return `${resource}.${name}`.toLowerCase();
}

function substitute(argument: string | [string, Record<string, Value>], scope: Scope): string {
  const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument;
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return String(evaluate(variables[name], scope));
    const dot = name.indexOf('.');
    return dot > 0 && !name.startsWith('AWS::') ? attribute(name.slice(0, dot), name.slice(dot + 1)) : String(reference(name, scope));
  });
}

// ------------------------------------------------------------------ the functions

const SELF_MANAGED = scopeWith();
const ON_MSK = scopeWith({ KafkaClusterArn: MSK_CLUSTER_ARN });

/** What each zip is built from (`npm run package:lambda`): the package's `./lambda` entry. */
const LAMBDA_MODULES: Record<string, Record<string, unknown>> = {
  gateway: gatewayLambda,
  users: usersLambda,
  tweets: tweetsLambda,
  timeline: timelineLambda,
  notifications: notificationsLambda,
};
/** What each kind of handler is invoked by. */
const HANDLER_EVENTS: Record<string, string> = { handler: 'HttpApi', sweeper: 'Schedule', consumer: 'Kafka' };

interface LambdaFunction {
  id: string;
  /** The zip's name: gateway or a subgraph. */
  service: string;
  /** The export its Handler names. */
  entry: string;
  properties: Record<string, Value>;
  /** Its environment as written (Globals merged), intrinsic functions left in. */
  environment: Record<string, Value>;
}

const functions: LambdaFunction[] = resourcesOfType('AWS::Serverless::Function').map(([id, resource]) => {
  const codeUri = /^\.\.\/\.\.\/dist\/lambda\/(\w+)\.zip$/.exec(resource.Properties.CodeUri);
  const handler = /^index\.(\w+)$/.exec(resource.Properties.Handler);
  if (!codeUri || !handler) throw new Error(`${id}: CodeUri ../../dist/lambda/<name>.zip and Handler index.<export> expected`);
  const environment = { ...template.Globals.Function.Environment?.Variables, ...resource.Properties.Environment?.Variables };
  return { id, service: codeUri[1]!, entry: handler[1]!, properties: resource.Properties, environment };
});
const consumers = functions.filter((fn) => fn.entry === 'consumer');

/** The variables a process of this zip reads. */
function knownVariables(service: string): Set<string> {
  return new Set([
    ...SERVICE_ENVIRONMENT_VARIABLES,
    ...LAMBDA_ENVIRONMENT_VARIABLES,
    ...(service === 'gateway' ? GATEWAY_ENVIRONMENT_VARIABLES : []),
    ...(service === 'timeline' ? TIMELINE_ENVIRONMENT_VARIABLES : []),
  ]);
}

/** Secrets Manager as the services would find it: the signing key and the Atlas connection string. */
const SECRET_VALUES: Record<string, string> = {
  [reference('JwtSecret', SELF_MANAGED)]: 'k'.repeat(40),
  [SAMPLE_PARAMETERS.AtlasConnectionSecretArn!]: 'mongodb+srv://chirp:password@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority',
};
const secrets: SecretSource = {
  read: async (secretId) => {
    const value = SECRET_VALUES[secretId];
    if (value === undefined) throw new Error(`no secret ${secretId} in this test`);
    return value;
  },
};

/** An environment as the process sees it: values worked out, then the `*_AWS_SECRET` ones read into their variables. */
async function runtimeEnvironment(environment: Record<string, Value>): Promise<NodeJS.ProcessEnv> {
  const values = Object.fromEntries(Object.entries(evaluate(environment, SELF_MANAGED) as Record<string, Value>).map(([name, value]) => [name, String(value)]));
  return resolveSecrets(values, secrets);
}

/** Every policy statement in a list of SAM Policies or IAM inline policies, both sides of an Fn::If included. */
function statementsOf(policies: Value[] = []): Value[] {
  return policies.flatMap((policy: Value): Value[] => {
    if (policy['Fn::If']) return statementsOf(policy['Fn::If'].slice(1));
    if (policy.AWSSecretsManagerGetSecretValuePolicy) {
      return [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: policy.AWSSecretsManagerGetSecretValuePolicy.SecretArn }];
    }
    return [policy.Statement ?? policy.PolicyDocument?.Statement ?? []].flat();
  });
}

/** The resources (as written) a set of statements allows `action` on. */
function allowed(statements: Value[], action: string): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && [statement.Action].flat().includes(action))
    .flatMap((statement) => [statement.Resource].flat())
    .map((resource) => JSON.stringify(resource))
    .sort();
}

/** The secrets an environment names (as written). */
const namedSecrets = (environment: Record<string, Value>) =>
  Object.entries(environment)
    .filter(([name]) => name.endsWith('_AWS_SECRET'))
    .map(([, value]) => JSON.stringify(value))
    .sort();

const eventsOf = (fn: LambdaFunction) => Object.values((fn.properties.Events ?? {}) as Record<string, { Type: string; Properties: Value }>);
const mappingsOf = (id: string) =>
  resourcesOfType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) => JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: id }));

function alarmOn(metric: string, id: string): Resource | undefined {
  return resourcesOfType('AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm)
    .find(
      (alarm) =>
        alarm.Properties.Namespace === 'AWS/Lambda' &&
        alarm.Properties.MetricName === metric &&
        JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]),
    );
}

/** The log group a reference names, if it is one of the template's. */
function logGroup(reference: Value): Resource | undefined {
  const group = template.Resources[reference?.Ref];
  return group?.Type === 'AWS::Logs::LogGroup' ? group : undefined;
}

/** The consumer groups an app's consumers subscribe, with their topics, recorded by a bus that reads nothing. */
async function consumerGroups(start: (bus: EventBus) => Promise<unknown>): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  await start({
    publish: async () => undefined,
    ping: async () => undefined,
    close: async () => undefined,
    subscribe: async ({ group, topics }) => {
      groups.set(group, [...(groups.get(group) ?? []), ...topics]);
      return { stop: async () => undefined };
    },
  });
  return groups;
}

const logger = createLogger('aws-template-test', 'silent');
let codeGroups: Record<string, Map<string, string[]>>;
beforeAll(async () => {
  codeGroups = {
    timeline: await consumerGroups((bus) => startTimelineConsumers(bus, {} as Parameters<typeof startTimelineConsumers>[1], logger)),
    notifications: await consumerGroups((bus) => startNotificationsConsumers(bus, {} as Parameters<typeof startNotificationsConsumers>[1], logger)),
  };
});

// ------------------------------------------------------------------ cfn-lint

interface CfnLintMatch {
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Start: { LineNumber: number } };
}

/** cfn-lint from the servers' cache (scripts/servers/ensure.js: a pinned venv, made on first use). */
async function cfnLint(): Promise<string> {
  const { ensureCfnLint } = await importScript<{ ensureCfnLint(log: (message: string) => void): Promise<{ bin: string }> }>('scripts/servers/ensure.js');
  return (await ensureCfnLint((message) => process.stderr.write(`[cfn-lint] ${message}\n`))).bin;
}

function runCfnLint(bin: string): Promise<{ matches: CfnLintMatch[] | undefined; output: string }> {
  return new Promise((done) => {
    // Exit codes are flags (2 errors, 4 warnings): the JSON report says which.
    execFile(bin, ['--format', 'json', '--', TEMPLATE], { cwd: dirname(TEMPLATE), maxBuffer: 16 << 20 }, (_error, stdout, stderr) => {
      try {
        done({ matches: JSON.parse(stdout) as CfnLintMatch[], output: stderr });
      } catch {
        done({ matches: undefined, output: `${stdout}\n${stderr}` });
      }
    });
  });
}

describe('deploy/aws/template.yaml', () => {
  it('passes cfn-lint, the SAM transform expanded, with no error and no warning', async () => {
    const { matches, output } = await runCfnLint(await cfnLint());
    expect({ cfnLintRan: matches !== undefined, output: matches ? '' : output }).toEqual({ cfnLintRan: true, output: '' });
    // Every finding, with its rule and line, so that a failure says what to fix.
    expect(matches!.map((match) => `${match.Level} ${match.Rule.Id} line ${match.Location.Start.LineNumber}: ${match.Message}`)).toEqual([]);
  }, 180_000);

  it('takes sample parameters that match their patterns', () => {
    for (const [name, value] of Object.entries({ ...SAMPLE_PARAMETERS, KafkaClusterArn: MSK_CLUSTER_ARN })) {
      const pattern = template.Parameters[name]?.AllowedPattern;
      expect({ name, matches: pattern === undefined || new RegExp(pattern).test(value) }).toEqual({ name, matches: true });
    }
  });

  it('runs each function on a handler its zip exports, invoked by what that handler expects', async () => {
    // What `npm run package:lambda` puts in each zip's index.js.
    const { LAMBDA_PACKAGES } = await importScript<{ LAMBDA_PACKAGES: Record<string, { handlers: string[] }> }>('scripts/package/lambda.js');
    expect(Object.keys(LAMBDA_PACKAGES).sort()).toEqual(Object.keys(LAMBDA_MODULES).sort());
    for (const fn of functions) {
      expect({ function: fn.id, inZip: LAMBDA_PACKAGES[fn.service]?.handlers.includes(fn.entry) }).toEqual({ function: fn.id, inZip: true });
      expect({ function: fn.id, exported: typeof LAMBDA_MODULES[fn.service]?.[fn.entry] }).toEqual({ function: fn.id, exported: 'function' });
      const invokedBy = new Set([...eventsOf(fn).map((event) => event.Type), ...(mappingsOf(fn.id).length > 0 ? ['Kafka'] : [])]);
      expect({ function: fn.id, invokedBy: [...invokedBy] }).toEqual({ function: fn.id, invokedBy: [HANDLER_EVENTS[fn.entry]] });
    }
    // The gateway and every subgraph answer HTTP; users and tweets sweep; timeline and notifications consume.
    const entries = (entry: string) => [...new Set(functions.filter((fn) => fn.entry === entry).map((fn) => fn.service))].sort();
    expect(entries('handler')).toEqual(['gateway', ...SUBGRAPH_NAMES].sort());
    expect(entries('sweeper')).toEqual(['tweets', 'users']);
    expect(entries('consumer')).toEqual(['notifications', 'timeline']);
  });

  it('sets on each function only variables the code reads', () => {
    for (const fn of functions) {
      const known = knownVariables(fn.service);
      const unknown = Object.keys(fn.environment).filter((name) => !known.has(name));
      expect({ function: fn.id, unknown }).toEqual({ function: fn.id, unknown: [] });
      // KAFKA_CONSUMER_GROUP picks a consumer's group; on anything else it would mean nothing.
      expect({ function: fn.id, group: 'KAFKA_CONSUMER_GROUP' in fn.environment }).toEqual({ function: fn.id, group: fn.entry === 'consumer' });
    }
  });

  it("loads each subgraph function's environment as a valid production configuration", async () => {
    for (const fn of functions.filter((candidate) => candidate.service !== 'gateway')) {
      const env = await runtimeEnvironment(fn.environment);
      const config = loadConfig(fn.service, 0, env);
      expect({ function: fn.id, production: config.isProduction, emf: config.metricsEmf }).toEqual({ function: fn.id, production: true, emf: true });
      expect(config.mongo).toMatchObject({ url: SECRET_VALUES[SAMPLE_PARAMETERS.AtlasConnectionSecretArn!], database: `chirp_${fn.service}` });
      expect(config.redis?.url).toMatch(/^rediss:\/\/[^:/]+:6379$/);
      expect(config.kafka).toMatchObject({ brokers: SAMPLE_PARAMETERS.KafkaBrokers!.split(','), topicPrefix: SAMPLE_PARAMETERS.KafkaTopicPrefix });
      if (fn.service === 'timeline') expect(() => loadTimelineSettings(env)).not.toThrow();
      // Users stores pictures in the bucket and links them through the CDN; its sweeper deletes there.
      if (fn.service === 'users') {
        expect({ function: fn.id, media: config.media }).toEqual({
          function: fn.id,
          media: {
            kind: 's3',
            bucket: reference('MediaBucket', SELF_MANAGED),
            region: PSEUDO_PARAMETERS['AWS::Region'],
            endpoint: undefined,
            publicBaseUrl: `https://${attribute('MediaDistribution', 'DomainName')}`,
          },
        });
      }
    }
  });

  it("loads the gateway function's environment as a valid production configuration, calling the subgraphs' IAM routes", async () => {
    const [gateway, ...others] = functions.filter((fn) => fn.service === 'gateway');
    expect(others).toEqual([]);
    const config = loadGatewayConfig(await runtimeEnvironment(gateway!.environment));
    expect(config).toMatchObject({ isProduction: true, metricsEmf: true, subgraphAuth: 'aws-iam', trustProxyHops: 0 });
    // The gateway talks only to Redis and the subgraphs.
    expect({ redis: Boolean(config.redis), mongo: config.mongo, kafka: config.kafka }).toEqual({ redis: true, mongo: undefined, kafka: undefined });
    expect(Object.keys(config.subgraphUrls).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    for (const name of SUBGRAPH_NAMES) {
      const url = new URL(config.subgraphUrls[name]!);
      // An execute-api URL of the subgraphs' API, which the gateway can sign for...
      expect(() => subgraphRequestSigner('aws-iam', url.href, credentials)).not.toThrow();
      expect(url.hostname.split('.')[0]).toBe(reference('SubgraphApi', SELF_MANAGED));
      // ...on the IAM-authorized route of that subgraph's HTTP function.
      const routes = functions
        .filter((fn) => fn.service === name && fn.entry === 'handler')
        .flatMap(eventsOf)
        .map((event) => ({ api: event.Properties.ApiId, path: event.Properties.Path, method: event.Properties.Method, auth: event.Properties.Auth }));
      expect(routes).toEqual([{ api: { Ref: 'SubgraphApi' }, path: url.pathname, method: 'POST', auth: { Authorizer: 'AWS_IAM' } }]);
    }
    expect(template.Resources.SubgraphApi?.Properties.Auth).toMatchObject({ EnableIamAuthorizer: true, DefaultAuthorizer: 'AWS_IAM' });
    // The public routes: POST and GET /graphql on the public API.
    const publicRoutes = eventsOf(gateway!).map((event) => `${event.Properties.Method} ${event.Properties.Path} ${event.Properties.ApiId.Ref}`);
    expect(publicRoutes.sort()).toEqual(['GET /graphql PublicApi', 'POST /graphql PublicApi']);
  });

  it('runs one consumer function per consumer group of the code, each mapping a topic of its group to a failure destination', () => {
    expect([...codeGroups.timeline!.keys()].sort()).toEqual([AUTHORS_GROUP, FANOUT_GROUP, FOLLOW_GRAPH_GROUP, LIKES_GROUP].sort());
    expect([...codeGroups.notifications!.keys()]).toEqual([NOTIFICATIONS_GROUP]);
    const groups = Object.entries(codeGroups).flatMap(([service, byGroup]) => [...byGroup.keys()].map((group) => `${service}/${group}`));
    expect(consumers.map((fn) => `${fn.service}/${fn.environment.KAFKA_CONSUMER_GROUP}`).sort()).toEqual(groups.sort());

    const prefix = SAMPLE_PARAMETERS.KafkaTopicPrefix!;
    const consumerGroupIds: string[] = [];
    for (const fn of consumers) {
      const topics = codeGroups[fn.service]!.get(fn.environment.KAFKA_CONSUMER_GROUP)!;
      const mappings = mappingsOf(fn.id);
      const mapped: string[] = [];
      for (const [id, mapping] of mappings) {
        const msk = evaluate(mapping.Properties, ON_MSK);
        const selfManaged = evaluate(mapping.Properties, SELF_MANAGED);
        // Retried, then kept: never dropped.
        expect({ id, startingPosition: msk.StartingPosition, onFailure: msk.DestinationConfig?.OnFailure?.Destination })
          .toEqual({ id, startingPosition: 'TRIM_HORIZON', onFailure: attribute('ConsumerFailureQueue', 'Arn') });
        expect({ id, retries: msk.MaximumRetryAttempts > 0, batchSize: msk.BatchSize > 0 }).toEqual({ id, retries: true, batchSize: true });
        expect(msk).toMatchObject({ EventSourceArn: MSK_CLUSTER_ARN });
        expect({ id, selfManaged: Object.keys(msk).some((key) => key.startsWith('SelfManaged')) }).toEqual({ id, selfManaged: false });
        expect(selfManaged).toMatchObject({ SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: SAMPLE_PARAMETERS.KafkaBrokers!.split(',') } } });
        expect({ id, msk: 'EventSourceArn' in selfManaged || 'AmazonManagedKafkaEventSourceConfig' in selfManaged }).toEqual({ id, msk: false });
        // One topic a mapping (Lambda's limit), prefixed as the services prefix it; a group of its own, prefixed too.
        expect({ id, topics: msk.Topics.length }).toEqual({ id, topics: 1 });
        mapped.push(msk.Topics[0]);
        const groupId = msk.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId;
        expect(selfManaged.SelfManagedKafkaEventSourceConfig.ConsumerGroupId).toBe(groupId);
        expect(groupId).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}${fn.environment.KAFKA_CONSUMER_GROUP.replace(/\./g, '\\.')}`));
        consumerGroupIds.push(groupId);
      }
      expect({ function: fn.id, topics: mapped.sort() }).toEqual({ function: fn.id, topics: topics.map((topic) => `${prefix}${topic}`).sort() });
    }
    // Lambda refuses two Kafka mappings with one consumer group id.
    expect(new Set(consumerGroupIds).size).toBe(consumerGroupIds.length);
  });

  it('lets each function and the live edge read exactly the secrets their environment names, and nothing with a wildcard action', () => {
    for (const fn of functions) {
      const granted = allowed(statementsOf(fn.properties.Policies), 'secretsmanager:GetSecretValue');
      expect({ function: fn.id, granted }).toEqual({ function: fn.id, granted: namedSecrets(fn.environment) });
    }
    const task = liveEdgeTask();
    const taskRole = template.Resources[task.definition.Properties.TaskRoleArn['Fn::GetAtt'][0]]!;
    expect(allowed(statementsOf(taskRole.Properties.Policies), 'secretsmanager:GetSecretValue')).toEqual(namedSecrets(task.environment));
    expect(allowed(statementsOf(taskRole.Properties.Policies), 'execute-api:Invoke')).toEqual(
      allowed(statementsOf(functions.find((fn) => fn.service === 'gateway')!.properties.Policies), 'execute-api:Invoke'),
    );

    // Every Allow in the template: actions named one by one, a resource named
    // except for the EC2 Describe actions, which take none.
    const allows: Value[] = [];
    const walk = (value: Value) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        if (value.Effect === 'Allow' && value.Action) allows.push(value);
        Object.values(value).forEach(walk);
      }
    };
    walk(template.Resources);
    expect(allows.length).toBeGreaterThan(0);
    for (const statement of allows) {
      const actions: string[] = [statement.Action].flat();
      expect({ actions, wildcard: actions.some((action) => action.includes('*')) }).toEqual({ actions, wildcard: false });
      if ([statement.Resource].flat().includes('*')) expect({ actions, describeOnly: actions.every((action) => /^ec2:Describe/.test(action)) }).toEqual({ actions, describeOnly: true });
    }
  });

  it('gives every function a log group with a retention, an errors alarm, and each consumer a lag alarm', () => {
    for (const fn of functions) {
      expect({ function: fn.id, retention: logGroup(fn.properties.LoggingConfig?.LogGroup)?.Properties.RetentionInDays }).toEqual({
        function: fn.id,
        retention: { Ref: 'LogRetentionDays' },
      });
      const errors = alarmOn('Errors', fn.id);
      expect({ function: fn.id, errorsAlarm: errors?.Properties.AlarmActions }).toEqual({ function: fn.id, errorsAlarm: [{ Ref: 'AlarmTopic' }] });
    }
    for (const fn of consumers) expect({ function: fn.id, lagAlarm: Boolean(alarmOn('OffsetLag', fn.id)) }).toEqual({ function: fn.id, lagAlarm: true });
    // The dashboard is valid JSON once substituted, and shows every function.
    const body = evaluate(template.Resources.Dashboard!.Properties.DashboardBody, SELF_MANAGED) as string;
    expect(() => JSON.parse(body)).not.toThrow();
    for (const fn of functions) expect({ function: fn.id, onDashboard: body.includes(`"${reference(fn.id, SELF_MANAGED)}"`) }).toEqual({ function: fn.id, onDashboard: true });
  });

  it("runs the live edge on the gateway function's settings, behind the load balancer, on the port and probe the code serves", async () => {
    const task = liveEdgeTask();
    const unknown = Object.keys(task.environment).filter((name) => !knownVariables('gateway').has(name) || LAMBDA_ENVIRONMENT_VARIABLES.includes(name));
    expect(unknown).toEqual([]);
    const config = loadGatewayConfig(await runtimeEnvironment(task.environment));
    expect(config).toMatchObject({ isProduction: true, host: '0.0.0.0', subgraphAuth: 'aws-iam', trustProxyHops: 1 });
    // The function's settings, but for where it listens and the one proxy (the ALB) in front.
    const { HOST, PORT, TRUST_PROXY, ...shared } = task.environment;
    const { TRUST_PROXY: _lambdaTrustProxy, ...gatewayShared } = functions.find((fn) => fn.service === 'gateway')!.environment;
    expect({ HOST, PORT, TRUST_PROXY, shared }).toEqual({ HOST: '0.0.0.0', PORT: String(config.port), TRUST_PROXY: '1', shared: gatewayShared });
    const targetGroup = template.Resources.LiveTargetGroup!.Properties;
    expect(task.container.PortMappings).toEqual([{ ContainerPort: config.port, Protocol: 'tcp' }]);
    expect({ port: targetGroup.Port, healthCheck: targetGroup.HealthCheckPath }).toEqual({ port: config.port, healthCheck: '/healthz' });
    expect(logGroup(task.container.LogConfiguration.Options['awslogs-group'])?.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
    // WebSockets stay open far longer than an ALB's default minute of silence.
    const idleTimeout = template.Resources.LiveLoadBalancer!.Properties.LoadBalancerAttributes.find((setting: Value) => setting.Key === 'idle_timeout.timeout_seconds');
    expect(Number(idleTimeout.Value)).toBeGreaterThanOrEqual(3600);
  });

  it("sends /graphql and the web client's routes and files to the live edge, and nothing else", () => {
    const rules = resourcesOfType('AWS::ElasticLoadBalancingV2::ListenerRule').map(([, rule]) => rule.Properties);
    for (const rule of rules) expect(rule.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'LiveTargetGroup' } }]);
    const patterns: string[] = rules.flatMap((rule) => rule.Conditions.flatMap((condition: Value) => condition.PathPatternConfig.Values));
    const routed = (path: string) => patterns.some((pattern) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(path));
    const routes = [...readFileSync(resolve(root, 'web/src/App.tsx'), 'utf8').matchAll(/<Route path="([^"]+)"/g)].map((match) => match[1]!);
    const examples = routes.map((route) => route.replace(':handle', 'ada').replace('/:tab?', '/followers'));
    for (const path of [...examples, '/u/ada', '/assets/index-abc.js', '/favicon.svg', '/graphql']) expect({ path, routed: routed(path) }).toEqual({ path, routed: true });
    for (const path of ['/metrics', '/healthz', '/readyz', '/media', '/media/x']) expect({ path, routed: routed(path) }).toEqual({ path, routed: false });
    expect(evaluate(template.Outputs.WebUrl!.Value, SELF_MANAGED)).toMatch(/^http:\/\/.+\/$/);
  });

  it('outputs the GraphQL URL, the live WebSocket URL and the media CDN', () => {
    expect(evaluate(template.Outputs.GraphQLUrl!.Value, SELF_MANAGED)).toBe(`https://publicapi.execute-api.eu-west-1.amazonaws.com/graphql`);
    expect(evaluate(template.Outputs.LiveWebSocketUrl!.Value, SELF_MANAGED)).toMatch(/^ws:\/\/.+\/graphql$/);
    expect(evaluate(template.Outputs.LiveWebSocketUrl!.Value, scopeWith({ LiveCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x', LiveDomainName: 'live.chirp.example.com' })))
      .toBe('wss://live.chirp.example.com/graphql');
    expect(evaluate(template.Outputs.MediaCdnUrl!.Value, SELF_MANAGED)).toBe(`https://${attribute('MediaDistribution', 'DomainName')}`);
  });
});

/** The live edge's one container, and its environment as written. */
function liveEdgeTask() {
  const [[, definition], ...others] = resourcesOfType('AWS::ECS::TaskDefinition') as [[string, Resource], ...Array<[string, Resource]>];
  expect(others).toEqual([]);
  const container = definition.Properties.ContainerDefinitions[0];
  const environment: Record<string, Value> = Object.fromEntries(container.Environment.map(({ Name, Value }: { Name: string; Value: Value }) => [Name, Value]));
  return { definition, container, environment };
}
