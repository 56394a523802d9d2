import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ConfigurationError,
  RotatingMongo,
  SigningKeys,
  TokenService,
  createLogger,
  followSecretRotations,
  loadConfig,
  resolveSecrets,
  watchSecrets,
} from '@chirp/platform';
import { eventually, realS3, realServers, uniqueName } from '@chirp/testing';

/** Secrets named in the configuration, read from Secrets Manager (moto on loopback), and followed through a rotation. */
describe('secrets from Secrets Manager', () => {
  let client: SecretsManagerClient;
  beforeAll(() => {
    const { endpoint, region } = realS3(); // moto serves Secrets Manager on the same port
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
    process.env.AWS_REGION ??= region;
    client = new SecretsManagerClient({});
  });
  afterAll(() => client.destroy());

  const secret = async (value: string) => {
    const name = uniqueName('chirp-secret');
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return name;
  };

  it('reads each named secret into its variable: a plain text, or the field of that name in a JSON secret', async () => {
    const jwt = await secret('k'.repeat(40));
    const mongo = await secret(JSON.stringify({ MONGODB_URL: 'mongodb+srv://chirp:pw@cluster0.example.mongodb.net/?retryWrites=true', other: 'x' }));
    const env = await resolveSecrets({ JWT_SECRET_AWS_SECRET: jwt, MONGODB_URL_AWS_SECRET: mongo, PORT: '1' });
    expect(env).toMatchObject({ JWT_SECRET: 'k'.repeat(40), MONGODB_URL: 'mongodb+srv://chirp:pw@cluster0.example.mongodb.net/?retryWrites=true', PORT: '1' });
    const untouched = { PORT: '2' };
    expect(await resolveSecrets(untouched)).toBe(untouched);
  });

  it('stops the start with what to check when a secret cannot be read, or a variable is given both ways', async () => {
    const missing = await resolveSecrets({ JWT_SECRET_AWS_SECRET: 'no-such-secret-anywhere' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as Error).message).toMatch(/JWT_SECRET_AWS_SECRET names the secret "no-such-secret-anywhere", which could not be read: there is no such secret\. Check its name or ARN/);
    await expect(resolveSecrets({ JWT_SECRET: 'x'.repeat(40), JWT_SECRET_AWS_SECRET: await secret('y'.repeat(40)) })).rejects.toThrow(/set JWT_SECRET or JWT_SECRET_AWS_SECRET, not both/);
    await expect(resolveSecrets({ MONGODB_URL_AWS_SECRET: await secret('   ') })).rejects.toThrow(/is empty/);
  });

  it('follows a rotation without a restart', async () => {
    const name = await secret('first-key-'.padEnd(40, '1'));
    const source = { JWT_SECRET_AWS_SECRET: name };
    const env = await resolveSecrets(source);
    const changes: string[] = [];
    const watch = watchSecrets(source, env, { intervalMs: 50, logger: createLogger('test', 'silent'), onChange: (_variable, value) => void changes.push(value) });
    try {
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'second-key-'.padEnd(40, '2') }));
      await eventually(() => expect(changes).toEqual(['second-key-'.padEnd(40, '2')]));
    } finally {
      watch.stop();
    }
  });

  it('tries a rotated value again when it could not be applied', async () => {
    const name = await secret('first');
    const source = { MONGODB_URL_AWS_SECRET: name };
    const env = await resolveSecrets(source);
    const attempts: string[] = [];
    const onChange = async (_variable: string, value: string) => {
      attempts.push(value);
      if (attempts.length === 1) throw new Error('not reachable yet');
    };
    const watch = watchSecrets(source, env, { intervalMs: 50, logger: createLogger('test', 'silent'), onChange });
    try {
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'second' }));
      await eventually(() => expect(attempts).toEqual(['second', 'second']));
    } finally {
      watch.stop();
    }
  });

  it('moves a running service to a rotated MongoDB URI, without a restart', async () => {
    const { mongoUrl } = realServers();
    const name = await secret(mongoUrl);
    const saved = process.env.MONGODB_URL_AWS_SECRET;
    process.env.MONGODB_URL_AWS_SECRET = name;
    const env = await resolveSecrets({ MONGODB_URL_AWS_SECRET: name });
    const config = loadConfig('rotation', 0, { ...env, SECRETS_REFRESH_SECONDS: '1' });
    const mongo = await RotatingMongo.connect({ url: mongoUrl, database: uniqueName('rotation') }, 'rotation-test', 50);
    const watch = followSecretRotations(env, config, createLogger('test', 'silent'), { rotateMongo: (url) => mongo.rotate(url) });
    try {
      const first = mongo.client;
      // The same server under another name stands for the new password.
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: mongoUrl.replace('127.0.0.1', 'localhost') }));
      await eventually(() => expect(mongo.client).not.toBe(first), { timeoutMs: 5_000 });
      expect(await mongo.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      watch.stop();
      await mongo.close();
      if (saved === undefined) delete process.env.MONGODB_URL_AWS_SECRET;
      else process.env.MONGODB_URL_AWS_SECRET = saved;
    }
  });
});

describe('SigningKeys', () => {
  it('keeps tokens signed before a rotation valid, signs new ones with the new key, and forgets the key two rotations back', async () => {
    const keys = new SigningKeys('a'.repeat(40));
    const tokens = new TokenService({ secret: 'a'.repeat(40), issuer: 'chirp', ttlSeconds: 60, keys });
    const before = await tokens.issue({ id: '1', handle: 'ada' });
    keys.rotate('b'.repeat(40));
    const after = await tokens.issue({ id: '1', handle: 'ada' });
    const fresh = new TokenService({ secret: 'b'.repeat(40), issuer: 'chirp', ttlSeconds: 60 });
    expect(await tokens.verify(before)).toEqual({ id: '1', handle: 'ada' });
    expect(await fresh.verify(after)).toEqual({ id: '1', handle: 'ada' }); // signed with the new key
    await expect(fresh.verify(before)).rejects.toThrow('The token is not valid.');
    keys.rotate('c'.repeat(40));
    await expect(tokens.verify(before)).rejects.toThrow('The token is not valid.'); // its key is two rotations back
    expect(await tokens.verify(after)).toEqual({ id: '1', handle: 'ada' });
    expect(await tokens.admitting(async () => undefined).verify(after)).toEqual({ id: '1', handle: 'ada' });
  });
});
