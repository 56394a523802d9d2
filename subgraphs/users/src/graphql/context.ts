import DataLoader from 'dataloader';
import type { RequestOrigin, Viewer } from '@chirp/platform';
import type { FollowService } from '../domain/follows.js';
import type { MediaService } from '../domain/media.js';
import type { PictureUrls } from '../domain/pictures.js';
import type { User } from '../domain/model.js';
import type { UserService } from '../domain/users.js';

export interface UsersServices {
  users: UserService;
  follows: FollowService;
  media: MediaService;
  pictures: PictureUrls;
}

export interface UsersContext extends UsersServices {
  /** Set from the verified token; signUp and logIn set it for the rest of their request. */
  viewer: Viewer | null;
  /** Where the request came from (the gateway forwards the caller's address): log-in and sign-up limits count by it. */
  origin: RequestOrigin;
  loaders: ReturnType<typeof createLoaders>;
}

/** Per request: one query for all the users, counts and follow states a response needs. */
function createLoaders(services: UsersServices, currentViewer: () => Viewer | null) {
  return {
    userById: new DataLoader<string, User | null>((ids) => services.users.byIds(ids)),
    followersCount: new DataLoader<string, number>((ids) =>
      Promise.all(ids.map((id) => services.follows.countFollowers(id))),
    ),
    followingCount: new DataLoader<string, number>((ids) =>
      Promise.all(ids.map((id) => services.follows.countFollowing(id))),
    ),
    followedByViewer: new DataLoader<string, boolean>((ids) => {
      const viewer = currentViewer();
      return viewer ? services.follows.followedBy(viewer.id, ids) : Promise.resolve(ids.map(() => false));
    }),
  };
}

export function createContext(services: UsersServices, viewer: Viewer | null, origin: RequestOrigin): UsersContext {
  const context: UsersContext = { ...services, viewer, origin, loaders: createLoaders(services, () => context.viewer) };
  return context;
}
