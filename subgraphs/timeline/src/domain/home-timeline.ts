import { isNewerId as newer, type Page } from '@chirp/platform';
import type { FollowGraphRepository, TweetProjectionRepository } from '../repositories/types.js';
import type { CachedHome, CachedList, TimelineStore } from '../stores/types.js';
import type { CardService } from './cards.js';
import type { TimelineCard } from './model.js';
import type { TimelineSettings } from './settings.js';

export interface HomeTimelineDependencies {
  store: TimelineStore;
  followGraph: FollowGraphRepository;
  tweets: TweetProjectionRepository;
  cards: CardService;
  settings: TimelineSettings;
  now: () => Date;
}

/** How far back a rebuild looks for tweets the fan-out was writing meanwhile (clock skew between instances included). */
const REBUILD_OVERLAP_MS = 10_000;
const REBUILD_ATTEMPTS = 3;
/** A first page reads this many ids more than it shows, for deleted tweets to drop out of. */
const FIRST_PAGE_SLACK = 16;

/**
 * What the cache holds of a home timeline: every tweet id at or above
 * `boundary` (newest first, no duplicates). Below the boundary, MongoDB.
 */
interface CachedWindow {
  ids: string[];
  /** "0" when the cache reaches back to the very first tweet. */
  boundary: string;
  /** Only the heads of the lists were read: more is cached below the boundary. */
  partial: boolean;
}

/**
 * The read side: a page of the viewer's home timeline, newest first. Served
 * from Redis while the page lies in the cached window, from the timeline's
 * own MongoDB projection past it, so paging to the end returns every tweet
 * of the viewer and of everyone they follow exactly once.
 */
export class HomeTimelineService {
  constructor(private readonly deps: HomeTimelineDependencies) {}

  async page(viewerId: string, first: number, afterId?: string): Promise<Page<TimelineCard>> {
    const wanted = first + 1; // one more says whether there is a next page
    // The lists are sorted, so a first page needs only their heads; a later
    // page, or a head thinned out by deletions, reads them whole.
    let window = await this.cachedWindow(viewerId, afterId ? undefined : wanted + FIRST_PAGE_SLACK);
    let shown = await this.visibleCards(viewerId, window.ids.filter((id) => !afterId || newer(afterId, id)), wanted);
    if (shown.length < wanted && window.partial) {
      window = await this.cachedWindow(viewerId);
      shown = await this.visibleCards(viewerId, window.ids.filter((id) => !afterId || newer(afterId, id)), wanted);
    }
    if (shown.length < wanted && window.boundary !== '0') {
      const below = afterId && newer(window.boundary, afterId) ? afterId : window.boundary;
      shown.push(...(await this.fromDurableData(viewerId, below, wanted - shown.length)));
    }
    return { items: shown.slice(0, first), hasNextPage: shown.length > first };
  }

  /** The viewer's cached timeline merged with the celebrities they follow, rebuilt when missing. */
  private async cachedWindow(viewerId: string, limit?: number): Promise<CachedWindow> {
    const home = (await this.deps.store.readHome(viewerId, limit)) ?? (await this.rebuild(viewerId));
    const recents = await this.celebrityRecents(home.celebrities, limit);
    const sources: CachedList[] = [home, ...recents];
    // Each source is whole from its oldest id up (or from the start, when complete):
    // the merge is whole from the highest of those.
    const boundary = sources.map(oldestCovered).reduce((high, id) => (newer(id, high) ? id : high), '0');
    const ids = [...new Set(sources.flatMap((source) => source.ids))].filter((id) => !newer(boundary, id));
    return { ids: ids.sort((a, b) => (newer(a, b) ? -1 : 1)), boundary, partial: sources.some((source) => source.partial) };
  }

  /**
   * Rebuilds a home timeline from durable data. The generation check drops
   * the result if a follow or unfollow landed meanwhile; the second read
   * catches tweets whose fan-out ran while this rebuild was reading (their
   * pushes found no list to push to).
   */
  private async rebuild(viewerId: string): Promise<CachedHome> {
    let built: CachedHome = { ids: [], celebrities: [], complete: true };
    for (let attempt = 0; attempt < REBUILD_ATTEMPTS; attempt += 1) {
      const generation = await this.deps.store.generation(viewerId);
      const startedAt = this.deps.now().getTime();
      const followees = await this.deps.followGraph.followeesOf(viewerId);
      const authors = [viewerId, ...followees];
      const ids = await this.deps.tweets.latestIds(authors, this.deps.settings.maxLength);
      const isCelebrity = await this.deps.store.isCelebrity(followees);
      const celebrities = followees.filter((_, index) => isCelebrity[index]);
      built = { ids, celebrities, complete: ids.length < this.deps.settings.maxLength };
      if (await this.deps.store.replaceHome(viewerId, generation, built)) {
        const late = await this.deps.tweets.receivedSince(authors, new Date(startedAt - REBUILD_OVERLAP_MS));
        await this.deps.store.addManyToHome(viewerId, late);
        return (await this.deps.store.readHome(viewerId)) ?? built;
      }
    }
    return built; // invalidated again and again: serve this read uncached
  }

  private async celebrityRecents(celebrities: readonly string[], limit?: number): Promise<CachedList[]> {
    const cached = await this.deps.store.readRecent(celebrities, limit);
    return Promise.all(
      cached.map(async (list, index) => {
        if (list) return list;
        const authorId = celebrities[index] as string;
        const ids = await this.deps.tweets.latestIds([authorId], this.deps.settings.maxLength);
        await this.deps.store.replaceRecent(authorId, ids);
        return { ids, complete: ids.length < this.deps.settings.maxLength };
      }),
    );
  }

  /** Cards for the first `wanted` ids that are still shown (deleted tweets drop out here). */
  private async visibleCards(viewerId: string, ids: readonly string[], wanted: number): Promise<TimelineCard[]> {
    const shown: TimelineCard[] = [];
    for (let start = 0; start < ids.length && shown.length < wanted; ) {
      const batch = ids.slice(start, start + wanted - shown.length + 4);
      start += batch.length;
      for (const card of await this.deps.cards.cards(batch, viewerId)) if (card) shown.push(card);
    }
    return shown.slice(0, wanted);
  }

  /** Past the cached window: straight from the projection, below `beforeId`. */
  private async fromDurableData(viewerId: string, beforeId: string, wanted: number): Promise<TimelineCard[]> {
    const authors = [viewerId, ...(await this.deps.followGraph.followeesOf(viewerId))];
    const shown: TimelineCard[] = [];
    let before = beforeId;
    while (shown.length < wanted) {
      const ids = await this.deps.tweets.latestIds(authors, wanted - shown.length, before);
      if (ids.length === 0) break;
      for (const card of await this.deps.cards.cards(ids, viewerId)) if (card) shown.push(card);
      before = ids.at(-1) as string;
    }
    return shown;
  }
}

/** The oldest id from which a list is known to be whole: "0" for a complete one. */
function oldestCovered(list: CachedList): string {
  if (list.complete) return '0';
  return list.ids.reduce((low, id) => (newer(low, id) ? id : low), list.ids[0] ?? '0');
}
