import { MongoClient, MongoServerError, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';

export interface MongoSettings {
  url: string;
  database: string;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
}

/**
 * One client per process. Each service passes its own database name, so its
 * collections are its own: no service reads another's data.
 */
export async function connectMongo(settings: MongoSettings, appName: string): Promise<MongoConnection> {
  const client = new MongoClient(settings.url, { appName, maxPoolSize: 50, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return { client, db: client.db(settings.database) };
}

/** E11000: a unique index refused the write. */
export function isDuplicateKeyError(error: unknown): error is MongoServerError {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Creates indexes one call each. Idempotent on MongoDB either way; FerretDB
 * 1.24 drops the connection when one createIndexes call names several
 * indexes that all exist already (every restart), and is fine with one.
 */
export async function ensureIndexes<Schema extends Document>(
  collection: Collection<Schema>,
  indexes: ReadonlyArray<IndexDescription>,
): Promise<void> {
  for (const { key, ...options } of indexes) await collection.createIndex(key, options);
}
