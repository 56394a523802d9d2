// Loads the network into the three databases in bulk, in the document shapes
// the repositories write (subgraphs/*/src/repositories/mongo), as if every
// event had been published and consumed: no outbox marker left pending.
//   <prefix>_users:    users, follows
//   <prefix>_tweets:   tweets
//   <prefix>_timeline: authors, follow_graph, tweets (the timeline's projections)

import { randomBytes, scryptSync } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { profileOf, tweetText } from './content.js';

/** @typedef {import('./network.js').Network} Network */
/** @typedef {import('./progress.js').Progress} Progress */

const BATCH = 2000;

/**
 * One real scrypt hash (the users subgraph's production parameters) shared by
 * every user: hashing 100K passwords would take longer than the whole bench,
 * and nobody logs in (tokens are issued directly).
 */
function sharedPasswordHash() {
  const salt = randomBytes(16);
  const key = scryptSync('bench-password', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Documents of one collection, produced batch by batch so a million users
 * never sit in memory as objects at once.
 *
 * @param {number} count
 * @param {(index: number) => object} documentAt
 */
function* batches(count, documentAt) {
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    const docs = new Array(end - start);
    for (let i = start; i < end; i += 1) docs[i - start] = documentAt(i);
    yield docs;
  }
}

/**
 * Edge documents for every follow, followee by followee.
 *
 * @param {Network} network
 * @param {(followerId: string, followeeId: string) => object} documentOf
 */
function edgeDocument(network, documentOf) {
  // Edge k belongs to the followee whose row holds k: walk rows in step with k.
  let row = 0;
  return (/** @type {number} */ k) => {
    while (network.followersStart[row + 1] <= k) row += 1;
    return documentOf(network.userIds[network.followers[k]], network.userIds[row]);
  };
}

/**
 * The collections to fill, per database, with their document makers.
 *
 * @param {Network} network
 */
function plan(network) {
  const passwordHash = sharedPasswordHash();
  const { users, edges, tweets, userIds, tweetIds, tweetAuthor, tweetTime } = network;
  const joined = (/** @type {number} */ i) => new Date(network.options.now - 400 * 86_400_000 + i * 100);
  const tweetAt = (/** @type {number} */ k) => new Date(tweetTime[k]);
  return {
    users: [
      { name: 'users', count: users, documentAt: (/** @type {number} */ i) => {
        const p = profileOf(network, i);
        const email = `${p.handle}@bench.example`;
        return {
          _id: p.id, handle: p.handle, handleKey: p.handle.toLowerCase(), email, emailKey: email,
          passwordHash, firstName: p.firstName, lastName: p.lastName, birthDate: null, bio: null, website: null,
          location: null, avatarUrl: null, bannerUrl: null, createdAt: joined(i), updatedAt: joined(i),
          version: 1, publishedVersion: 1, pendingSince: null,
        };
      } },
      { name: 'follows', count: edges, documentAt: edgeDocument(network, (followerId, followeeId) => ({
        _id: `${followerId}:${followeeId}`, followerId, followeeId, active: true, seq: 1, publishedSeq: 1,
        changedAt: new Date(network.options.now - 30 * 86_400_000), pendingSince: null,
      })) },
    ],
    tweets: [
      { name: 'tweets', count: tweets, documentAt: (/** @type {number} */ k) => ({
        _id: tweetIds[k], authorId: userIds[tweetAuthor[k]], text: tweetText(k), createdAt: tweetAt(k), editedAt: null,
        deletedAt: null, likeCount: 0, likeCountToken: null, version: 1, revision: 1, publishedVersion: 1, pendingSince: null,
      }) },
    ],
    timeline: [
      { name: 'authors', count: users, documentAt: (/** @type {number} */ i) => {
        const { id, ...profile } = profileOf(network, i);
        return { _id: id, ...profile, version: 1 };
      } },
      { name: 'follow_graph', count: edges, documentAt: edgeDocument(network, (followerId, followeeId) => ({
        _id: `${followerId}:${followeeId}`, followerId, followeeId, active: true, seq: 1,
      })) },
      { name: 'tweets', count: tweets, documentAt: (/** @type {number} */ k) => ({
        _id: tweetIds[k], authorId: userIds[tweetAuthor[k]], text: tweetText(k), createdAt: tweetAt(k), editedAt: null,
        deleted: false, version: 1, receivedAt: tweetAt(k),
      }) },
    ],
  };
}

/**
 * Drops and refills the bench's databases. Databases load side by side
 * (FerretDB keeps one SQLite file per database), collections one after the
 * other within each.
 *
 * @param {Network} network
 * @param {{ url: string, dbPrefix: string, progress: Progress }} options
 * @returns {Promise<{ seconds: number, documents: number }>}
 */
export async function loadMongo(network, { url, dbPrefix, progress }) {
  const started = Date.now();
  const client = await MongoClient.connect(url, { maxPoolSize: 8 });
  try {
    const databases = Object.entries(plan(network));
    for (const [db, collections] of databases) {
      for (const c of collections) progress.add(`${db}.${c.name}`, c.count);
    }
    await Promise.all(databases.map(async ([name, collections]) => {
      const db = client.db(`${dbPrefix}_${name}`);
      await db.dropDatabase();
      for (const c of collections) {
        const collection = db.collection(c.name);
        for (const docs of batches(c.count, c.documentAt)) {
          await collection.insertMany(docs, { ordered: false });
          progress.advance(`${name}.${c.name}`, docs.length);
        }
      }
    }));
    const documents = databases.flatMap(([, cs]) => cs).reduce((sum, c) => sum + c.count, 0);
    return { seconds: (Date.now() - started) / 1000, documents };
  } finally {
    await client.close();
  }
}

/**
 * Drops the bench's databases (when it ran on servers it did not start).
 *
 * @param {string} url
 * @param {string} dbPrefix
 */
export async function dropMongo(url, dbPrefix) {
  const client = await MongoClient.connect(url);
  try {
    for (const name of ['users', 'tweets', 'timeline', 'notifications']) await client.db(`${dbPrefix}_${name}`).dropDatabase();
  } finally {
    await client.close();
  }
}
