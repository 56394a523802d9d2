import DataLoader from 'dataloader';
import type { Viewer } from '@chirp/platform';
import type { LikeService } from '../domain/likes.js';
import type { Tweet } from '../domain/model.js';
import type { TweetService } from '../domain/tweets.js';

export interface TweetsServices {
  tweets: TweetService;
  likes: LikeService;
}

export interface TweetsContext extends TweetsServices {
  viewer: Viewer | null;
  loaders: ReturnType<typeof createLoaders>;
}

/** Per request: one query for all the tweets, counts and like states a response needs. */
function createLoaders(services: TweetsServices, viewer: Viewer | null) {
  return {
    tweetById: new DataLoader<string, Tweet | null>((ids) => services.tweets.byIds(ids)),
    tweetCount: new DataLoader<string, number>((ids) => Promise.all(ids.map((id) => services.tweets.countByAuthor(id)))),
    likedByViewer: new DataLoader<string, boolean>((ids) =>
      viewer ? services.likes.likedBy(viewer.id, ids) : Promise.resolve(ids.map(() => false)),
    ),
  };
}

export function createContext(services: TweetsServices, viewer: Viewer | null): TweetsContext {
  return { ...services, viewer, loaders: createLoaders(services, viewer) };
}
