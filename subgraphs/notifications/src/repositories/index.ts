import type { Db } from 'mongodb';
import { InMemoryDeletedTweetRepository } from './memory/deleted-tweets.js';
import { InMemoryEdgeRepository } from './memory/edges.js';
import { InMemoryNotificationRepository } from './memory/notifications.js';
import { MongoDeletedTweetRepository } from './mongo/deleted-tweets.js';
import { MongoEdgeRepository } from './mongo/edges.js';
import { MongoNotificationRepository } from './mongo/notifications.js';
import type { NotificationsRepositories } from './types.js';

export * from './types.js';
export {
  InMemoryDeletedTweetRepository,
  InMemoryEdgeRepository,
  InMemoryNotificationRepository,
  MongoDeletedTweetRepository,
  MongoEdgeRepository,
  MongoNotificationRepository,
};

/** MongoDB when there is a database, in-memory otherwise. */
export async function createRepositories(db: Db | undefined): Promise<NotificationsRepositories> {
  if (!db) {
    return {
      notifications: new InMemoryNotificationRepository(),
      edges: new InMemoryEdgeRepository(),
      deletedTweets: new InMemoryDeletedTweetRepository(),
    };
  }
  const notifications = new MongoNotificationRepository(db);
  await notifications.ensureIndexes();
  return { notifications, edges: new MongoEdgeRepository(db), deletedTweets: new MongoDeletedTweetRepository(db) };
}
