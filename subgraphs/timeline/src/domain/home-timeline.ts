import { isNewerId as newer, type Page } from '@chirp/platform';
import type { FollowGraphRepository, TweetProjectionRepository } from '../repositories/types.js';
import type { CachedHome, CachedList, TimelineStore } from '../stores/types.js';
import type { CardService } from './cards.js';
import { mergeNewestFirst } from './merge.js';
import { rebuildReadLimit, refillRecent } from './recents.js';
import type { TimelineCard } from './model.js';
import type { TimelineSettings } from './settings.js';

export interface HomeTimelineDependencies {
  store: TimelineStore;
  followGraph: FollowGraphRepository;
  tweets: TweetProjectionRepository;
  cards: CardService;
  settings: TimelineSettings;
}

const REBUILD_ATTEMPTS = 3;
/** A page reads this many ids more than it shows, for deleted tweets to drop out of. */
const PAGE_SLACK = 16;
/** Authors whose lists are filled from MongoDB at once, where Redis lost them. */
const RECENT_FILLS_IN_FLIGHT = 16;

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
    // The lists are sorted, so a page needs only the part of the home list
    // just below its cursor (the head, for a first page); a part thinned out
    // by deletions is read again whole.
    let window = await this.cachedWindow(viewerId, wanted + PAGE_SLACK, afterId);
    let shown = await this.visibleCards(viewerId, window.ids, wanted);
    if (shown.length < wanted && window.partial) {
      window = await this.cachedWindow(viewerId, undefined, afterId);
      shown = await this.visibleCards(viewerId, window.ids, wanted);
    }
    if (shown.length < wanted && window.boundary !== '0') {
      const below = afterId && newer(window.boundary, afterId) ? afterId : window.boundary;
      shown.push(...(await this.fromDurableData(viewerId, below, wanted - shown.length)));
    }
    return { items: shown.slice(0, first), hasNextPage: shown.length > first };
  }

  /**
   * The viewer's cached timeline below `afterId` (all of it without), merged
   * with the celebrities they follow, rebuilt when missing. A celebrity's
   * list is read from its head: only a first page can stop at `limit`.
   */
  private async cachedWindow(viewerId: string, limit?: number, afterId?: string): Promise<CachedWindow> {
    const home = (await this.deps.store.readHome(viewerId, limit, afterId)) ?? below(await this.rebuild(viewerId), afterId);
    const recents = await this.authorRecents(home.celebrities, afterId ? undefined : limit);
    const window = mergeLists([home, ...recents]);
    return afterId ? { ...window, ids: window.ids.filter((id) => newer(afterId, id)) } : window;
  }

  /**
   * Rebuilds a home timeline from its authors' recent lists in Redis (the
   * viewer's and their followees'; one read of the follow graph in MongoDB):
   * as fast as a warm read plus a merge, so an expired timeline is no slow
   * page. The generation check drops the result if a follow or unfollow
   * landed meanwhile; `catchUp` adds tweets fanned out while it was reading.
   */
  private async rebuild(viewerId: string): Promise<CachedHome> {
    let built: CachedHome = { ids: [], celebrities: [], complete: true };
    for (let attempt = 0; attempt < REBUILD_ATTEMPTS; attempt += 1) {
      const generation = await this.deps.store.generation(viewerId);
      const followees = await this.deps.followGraph.followeesOf(viewerId);
      const authors = [viewerId, ...followees];
      const limit = rebuildReadLimit(authors.length, this.deps.settings.maxLength);
      const [lists, isCelebrity] = await Promise.all([this.authorRecents(authors, limit), this.deps.store.isCelebrity(followees)]);
      const window = mergeLists(lists, this.deps.settings.maxLength + 1); // one more says whether it was cut
      const ids = window.ids.slice(0, this.deps.settings.maxLength);
      const complete = window.boundary === '0' && ids.length === window.ids.length;
      built = { ids, celebrities: followees.filter((_, index) => isCelebrity[index]), complete };
      if (await this.deps.store.replaceHome(viewerId, generation, built)) {
        await this.catchUp(viewerId, authors, lists, limit);
        return (await this.deps.store.readHome(viewerId)) ?? built;
      }
    }
    return built; // invalidated again and again: serve this read uncached
  }

  /**
   * A tweet fanned out after the rebuild read its author's list found no
   * timeline to enter, but the fan-out pushes onto the author's list before
   * any timeline: reading the lists again now finds it.
   */
  private async catchUp(viewerId: string, authors: readonly string[], before: readonly CachedList[], limit: number): Promise<void> {
    // The heads first (one id per author): usually none moved, and that is all this costs.
    const heads = await this.deps.store.readRecent(authors, 1);
    const moved = authors.filter((_, index) => heads[index]?.ids[0] !== before[index]?.ids[0]);
    if (moved.length === 0) return;
    const headBefore = new Map(authors.map((authorId, index) => [authorId, before[index]?.ids[0]]));
    const after = await this.deps.store.readRecent(moved, limit);
    const late = after.flatMap((list, index) => {
      const head = headBefore.get(moved[index] as string);
      return (list?.ids ?? []).filter((id) => head === undefined || newer(id, head));
    });
    if (late.length > 0) await this.deps.store.addManyToHome(viewerId, late);
  }

  /** Each author's latest ids from Redis; a list Redis lost is filled again from the tweets projection. */
  private async authorRecents(authorIds: readonly string[], limit?: number): Promise<CachedList[]> {
    const cached = await this.deps.store.readRecent(authorIds, limit);
    const lists: CachedList[] = [];
    for (let start = 0; start < cached.length; start += RECENT_FILLS_IN_FLIGHT) {
      const wave = cached.slice(start, start + RECENT_FILLS_IN_FLIGHT);
      lists.push(...(await Promise.all(wave.map((list, index) => list ?? this.fillRecent(authorIds[start + index] as string, limit)))));
    }
    return lists;
  }

  private async fillRecent(authorId: string, limit?: number): Promise<CachedList> {
    const { maxLength } = this.deps.settings;
    const ids = await refillRecent(this.deps, authorId);
    const shown = ids.slice(0, limit);
    const complete = ids.length < maxLength && shown.length === ids.length;
    return { ids: shown, complete, ...(shown.length < ids.length ? { partial: true } : {}) };
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

/**
 * Lists merged newest first, without duplicates, down to the highest of
 * their boundaries: each is whole from its oldest id up (from the start,
 * when complete), so the merge is whole from the highest of those.
 */
function mergeLists(lists: readonly CachedList[], limit?: number): CachedWindow {
  const boundary = lists.map(oldestCovered).reduce((high, id) => (newer(id, high) ? id : high), '0');
  const ids = mergeNewestFirst(lists.map((list) => list.ids), boundary, limit);
  return { ids, boundary, partial: lists.some((list) => list.partial) };
}

/**
 * The oldest id from which a list is known to be whole: "0" for a complete
 * one; for a read below a cursor that found nothing (the cached list ends
 * above it), the cursor itself.
 */
function oldestCovered(list: CachedList): string {
  if (list.complete) return '0';
  return list.ids.reduce((low, id) => (newer(low, id) ? id : low), list.ids[0] ?? list.olderThan ?? '0');
}

/** A whole home list (just rebuilt) as `readHome` would have read it below `afterId`. */
function below<List extends CachedList>(list: List, afterId?: string): List {
  return afterId ? { ...list, ids: list.ids.filter((id) => newer(afterId, id)), olderThan: afterId } : list;
}
