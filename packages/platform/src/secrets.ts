import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from './config.js';
import type { Logger } from './logger.js';

/**
 * Secrets named instead of given: where `<VARIABLE>_AWS_SECRET` holds a
 * Secrets Manager secret's name or ARN, the variable's value is read from
 * it at start (the secret's text, or its field of that name when the text
 * is a JSON object, as the console's key/value secrets are), then read
 * again every `SECRETS_REFRESH_SECONDS` so a rotation reaches the running
 * process. The AWS SDK finds the region and credentials itself (the
 * function's or task's role), and `AWS_ENDPOINT_URL_SECRETS_MANAGER` points
 * it elsewhere (tests, on moto).
 */
export const SECRET_VARIABLES = ['JWT_SECRET', 'MONGODB_URL'] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];
export const secretReference = (variable: SecretVariable) => `${variable}_AWS_SECRET`;

/** Where secret texts come from (Secrets Manager; a stand-in in tests). */
export interface SecretSource {
  /** The secret's current text; throws when it cannot be read. */
  read(secretId: string): Promise<string>;
}

export class SecretsManagerSource implements SecretSource {
  private readonly client = new SecretsManagerClient({});

  async read(secretId: string): Promise<string> {
    const answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) throw new Error('the secret holds binary data, not text');
    return answer.SecretString;
  }

  close(): void {
    this.client.destroy();
  }
}

/**
 * The environment with every named secret read into its variable. A secret
 * that cannot be read stops the start with what to check; a variable given
 * both ways is refused (which one would win is a guess).
 */
export async function resolveSecrets(source: NodeJS.ProcessEnv, given?: SecretSource): Promise<NodeJS.ProcessEnv> {
  const named = namedSecrets(source);
  if (named.length === 0) return source;
  // An AWS SDK client only when a secret is named (most starts name none), closed once read.
  const secrets = given ?? new SecretsManagerSource();
  try {
    const resolved: NodeJS.ProcessEnv = { ...source };
    for (const [variable, secretId] of named) {
      if (source[variable]?.trim()) {
        throw new ConfigurationError(`Invalid configuration: set ${variable} or ${secretReference(variable)}, not both.`);
      }
      resolved[variable] = await readValue(secrets, variable, secretId);
    }
    return resolved;
  } finally {
    if (!given && secrets instanceof SecretsManagerSource) secrets.close();
  }
}

/** The variables this environment names a secret for, with the secret's id. */
function namedSecrets(source: NodeJS.ProcessEnv): Array<[SecretVariable, string]> {
  return SECRET_VARIABLES.flatMap((variable) => {
    const secretId = source[secretReference(variable)]?.trim();
    return secretId ? [[variable, secretId] as [SecretVariable, string]] : [];
  });
}

async function readValue(secrets: SecretSource, variable: SecretVariable, secretId: string): Promise<string> {
  let text: string;
  try {
    text = await secrets.read(secretId);
  } catch (error) {
    const reason = (error as { name?: string }).name === 'ResourceNotFoundException' ? 'there is no such secret' : (error as Error).message;
    throw new ConfigurationError(
      `${secretReference(variable)} names the secret "${secretId}", which could not be read: ${reason}. Check its name or ARN, the region, and that this service's role may read it (secretsmanager:GetSecretValue).`,
    );
  }
  const value = fieldOrText(text, variable).trim();
  if (!value) throw new ConfigurationError(`The secret "${secretId}" (${secretReference(variable)}) is empty.`);
  return value;
}

/** A JSON object secret gives its field named like the variable; any other text is the value itself. */
function fieldOrText(text: string, variable: SecretVariable): string {
  if (!text.trimStart().startsWith('{')) return text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const field = parsed[variable];
    if (typeof field === 'string') return field;
  } catch {
    // not JSON after all: the text is the value
  }
  return text;
}

/**
 * Reads the named secrets again every `intervalMs` and reports a changed
 * value (a rotation). A failed read is logged and tried again next time:
 * the process keeps the value it has. So is a change `onChange` could not
 * apply (it threw): it is reported again at the next read.
 */
export function watchSecrets(
  source: NodeJS.ProcessEnv,
  resolved: NodeJS.ProcessEnv,
  options: {
    intervalMs: number;
    logger: Logger;
    onChange: (variable: SecretVariable, value: string) => void | Promise<void>;
    secrets?: SecretSource;
  },
): { stop(): void } {
  const named = namedSecrets(source);
  if (named.length === 0) return { stop: () => undefined };
  const secrets = options.secrets ?? new SecretsManagerSource();
  const current = new Map(named.map(([variable]) => [variable, resolved[variable] ?? '']));
  const check = async () => {
    for (const [variable, secretId] of named) {
      let value: string;
      try {
        value = await readValue(secrets, variable, secretId);
      } catch (error) {
        options.logger.warn({ err: error, variable, secretId }, 'could not read a secret again; keeping the value in use');
        continue;
      }
      if (value === current.get(variable)) continue;
      options.logger.info({ variable, secretId }, 'a secret changed (rotation): using the new value');
      try {
        await options.onChange(variable, value);
        current.set(variable, value);
      } catch (error) {
        options.logger.error({ err: error, variable, secretId }, 'a rotated secret could not be applied; keeping the value in use, trying again next time');
      }
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs).unref();
  return {
    stop: () => {
      clearInterval(timer);
      if (secrets instanceof SecretsManagerSource) secrets.close();
    },
  };
}
