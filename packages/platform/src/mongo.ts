import {
  MongoClient,
  MongoServerError,
  type Collection,
  type CollectionOptions,
  type Db,
  type Document,
  type Filter,
  type IndexDescription,
  type UpdateFilter,
} from 'mongodb';

export interface MongoSettings {
  url: string;
  database: string;
  /** Connections this process may open (see CONTAINER_MONGODB_POOL_SIZE and LAMBDA_MONGODB_POOL_SIZE). */
  maxPoolSize?: number;
  /** How long to look for a server before an operation fails (10 s unless given). */
  serverSelectionTimeoutMs?: number;
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
  // Command monitoring lets operators (and a test) see every command a service sends.
  const client = new MongoClient(settings.url, {
    appName,
    maxPoolSize: settings.maxPoolSize ?? 50,
    // Idle connections are closed after a minute: a Lambda environment frozen between invocations
    // would otherwise hold its sockets open on the server (Atlas counts them against its limit).
    maxIdleTimeMS: 60_000,
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs ?? 10_000,
    monitorCommands: true,
  });
  await client.connect();
  return { client, db: client.db(settings.database) };
}

/** How long a replaced client keeps serving what was already sent on it, before it is closed. */
const REPLACED_CLIENT_GRACE_MS = 30_000;

/**
 * A MongoDB connection whose URI may change while the process runs: a
 * rotated password (Secrets Manager, see secrets.ts). `db` is one object
 * for the life of the process, so the repositories made over it at start
 * keep working: each call reaches whichever client is current. A new URI
 * is connected and pinged before it is used; the client it replaces is
 * closed after a grace, once what was sent on it has had time to finish.
 */
export class RotatingMongo {
  readonly db: Db;
  private current: MongoConnection;
  private readonly retired = new Set<ReturnType<typeof setTimeout>>();

  private constructor(
    first: MongoConnection,
    private readonly settings: MongoSettings,
    private readonly appName: string,
    private readonly graceMs: number,
  ) {
    this.current = first;
    this.db = databaseFacade(() => this.current.db);
  }

  static async connect(settings: MongoSettings, appName: string, graceMs = REPLACED_CLIENT_GRACE_MS): Promise<RotatingMongo> {
    return new RotatingMongo(await connectMongo(settings, appName), settings, appName, graceMs);
  }

  get client(): MongoClient {
    return this.current.client;
  }

  /** Moves to `url`; throws (and keeps the current client) when it cannot be reached or refuses us. */
  async rotate(url: string): Promise<void> {
    const next = await connectMongo({ ...this.settings, url }, this.appName);
    try {
      await next.db.command({ ping: 1 });
    } catch (error) {
      await next.client.close().catch(() => undefined);
      throw error;
    }
    const previous = this.current;
    this.current = next;
    const timer = setTimeout(() => {
      this.retired.delete(timer);
      void previous.client.close().catch(() => undefined);
    }, this.graceMs);
    timer.unref();
    this.retired.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.retired) clearTimeout(timer);
    this.retired.clear();
    await this.current.client.close();
  }
}

/** A `Db` that forwards to `current()` on every use; its collections do the same. */
function databaseFacade(current: () => Db): Db {
  return new Proxy({} as Db, {
    get: (_target, property) => {
      if (property === 'collection') {
        return (name: string, options?: CollectionOptions) => collectionFacade(current, name, options);
      }
      return forwarded(current(), property);
    },
  });
}

function collectionFacade(current: () => Db, name: string, options?: CollectionOptions): Collection<Document> {
  // One Collection per client, made again only after a rotation, its methods bound once: every repository call comes through here.
  let made: { db: Db; collection: Collection<Document>; methods: Map<string | symbol, unknown> } | undefined;
  const target = () => {
    const db = current();
    if (made?.db !== db) made = { db, collection: db.collection(name, options), methods: new Map() };
    return made;
  };
  return new Proxy({} as Collection<Document>, {
    get: (_target, property) => {
      const { collection, methods } = target();
      if (!methods.has(property)) {
        const value = forwarded(collection, property);
        if (typeof value !== 'function') return value;
        methods.set(property, value);
      }
      return methods.get(property);
    },
  });
}

function forwarded(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property, target);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

/**
 * The filter for documents by `_id`. One id is asked for as a plain
 * equality: MongoDB answers that with its fast path for `_id` lookups
 * (no query planning), and FerretDB, which serves the tests, looks only a
 * filter of exactly `{ _id }` up by key (anything else reads the whole
 * collection). The live edge resolves one tweet and one author per event.
 */
export function byIds(ids: readonly string[]): { _id: string | { $in: string[] } } {
  return ids.length === 1 ? { _id: ids[0] as string } : { _id: { $in: [...ids] } };
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

/** The fields every edge document (follow, like) carries besides its own. */
export interface EdgeDocument extends Document {
  _id: string;
  active: boolean;
  seq: number;
  publishedSeq: number;
  changedAt: Date;
  pendingSince: Date | null;
}

/**
 * Sets an edge (a follow, a like) active or not, in one single-document
 * write that also marks the change unpublished for the outbox. Returns the
 * edge after its change, or null when it was already in that state.
 *
 * Only an edge in the other state matches the filter, so a repeat changes
 * nothing. Activating upserts; if the edge exists and is already active,
 * the upsert collides with the _id index, which also means "no change".
 * Exactly one of several racing identical calls changes the edge.
 */
export async function toggleEdge<Edge extends EdgeDocument>(
  collection: Collection<Edge>,
  id: string,
  fields: Omit<Edge, keyof EdgeDocument>,
  active: boolean,
  at: Date,
): Promise<Edge | null> {
  try {
    const filter = { _id: id, active: !active } as Filter<Edge>;
    const update = {
      $set: { ...fields, active, changedAt: at, pendingSince: at },
      $inc: { seq: 1 },
      $setOnInsert: { publishedSeq: 0 },
    } as unknown as UpdateFilter<Edge>;
    return (await collection.findOneAndUpdate(filter, update, { upsert: active, returnDocument: 'after' })) as Edge | null;
  } catch (error) {
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

/**
 * How a subgraph's collection is to be sharded when one replica set no
 * longer holds it (a sharded Atlas cluster), and which of its queries
 * that key cannot target. Each subgraph writes down its own
 * (`repositories/mongo/sharding.ts`); a test runs the product and checks
 * that every command it sends is either targeted by the key or listed
 * here as a scatter-gather, with why that is acceptable.
 */
export interface CollectionSharding {
  /** The shard key, as `sh.shardCollection` takes it (it builds the index a hashed key needs). */
  key: Record<string, 1 | 'hashed'>;
  /** What the key targets, in a sentence. */
  why: string;
  /**
   * Queries sent to every shard, by the filter's top-level fields (sorted,
   * joined by commas: `active,followeeId`), with why each is acceptable.
   */
  scatterGather?: Record<string, string>;
}

/** A subgraph's collections (in its own database) and how each is sharded. */
export type ShardingPlan = Record<string, CollectionSharding>;

/** The outbox sweep's query, found in every collection with an outbox: background, rare, one index range per shard. */
export const OUTBOX_SWEEP_SCATTER = 'the outbox sweep (changes left unpublished): in the background, every minute, one indexed range read per shard';
