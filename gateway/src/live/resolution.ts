import type { ExecutionResult } from 'graphql';
import type { Viewer } from '@chirp/platform';
import type { LookupPlan } from './lookup.js';
import { LIVE_ID_VARIABLE } from './lookup.js';

/** Who an operation runs as: the caller's header, forwarded to the subgraphs, the verified viewer, and where they connect from. */
export interface Caller {
  authorization: string | undefined;
  viewer: Viewer | null;
  /** The client's address, which the subgraphs count log-ins and sign-ups by. */
  clientAddress?: string;
}

/** Runs one GraphQL operation through the supergraph, as the gateway's HTTP endpoint would. */
export type RunOperation = (
  request: { query: string; operationName?: string | undefined; variables: Record<string, unknown> },
  caller: Caller,
) => Promise<ExecutionResult>;

/** One subscription's lookup, its variables, and what subscriptions that may share a resolution have in common. */
export interface LiveSubscriptionPlan {
  plan: LookupPlan;
  variables: Record<string, unknown>;
  shareKey: string;
}

/** Built once per subscription, so an event costs no serialisation per subscriber. */
export function subscriptionPlan(plan: LookupPlan, variables: Record<string, unknown>): LiveSubscriptionPlan {
  return { plan, variables, shareKey: JSON.stringify([plan.query, plan.operationName ?? null, variables]) };
}

const ANONYMOUS: Caller = { authorization: undefined, viewer: null };

/**
 * Resolves live events through the supergraph, to the payload a subscriber
 * receives, serialised. When a plan is shared (it selects no
 * viewer-dependent field) one anonymous resolution per event serves every
 * subscriber with the same document and variables on this gateway: a tweet
 * reaching 10,000 open timelines is resolved and serialised once, not
 * 10,000 times.
 */
export class LiveResolver {
  private readonly shared = new Map<string, Promise<string | null>>();
  /** Shared payloads once settled, so that later copies of the event go out without waiting a turn. */
  private readonly ready = new Map<string, string | null>();

  /** `shareWindowMs`: how long a shared result is kept for subscribers whose copy of the event arrives later. */
  constructor(
    private readonly run: RunOperation,
    private readonly shareWindowMs = 5_000,
  ) {}

  /** The payload a subscriber receives for the event `id`, or null when there is nothing to send (deleted meanwhile). */
  resolve(subscription: LiveSubscriptionPlan, id: string, caller: Caller): Promise<string | null> {
    const { plan } = subscription;
    if (!plan.shared) return this.payload(subscription, id, caller);
    const key = sharedKey(subscription, id);
    let payload = this.shared.get(key);
    if (!payload) {
      payload = this.payload(subscription, id, ANONYMOUS);
      this.shared.set(key, payload);
      payload.then((settled) => this.ready.set(key, settled)).catch(() => undefined);
      setTimeout(() => {
        this.shared.delete(key);
        this.ready.delete(key);
      }, this.shareWindowMs).unref();
    }
    return payload;
  }

  /**
   * The shared payload for the event `id` if it has already been resolved,
   * else undefined: most of a tweet's 10,000 announcements arrive after its
   * one lookup is back, and each is then written at once.
   */
  settled(subscription: LiveSubscriptionPlan, id: string): string | null | undefined {
    return subscription.plan.shared ? this.ready.get(sharedKey(subscription, id)) : undefined;
  }

  private async payload({ plan, variables }: LiveSubscriptionPlan, id: string, caller: Caller): Promise<string | null> {
    const result = await this.run({ query: plan.query, operationName: plan.operationName, variables: { ...variables, [LIVE_ID_VARIABLE]: id } }, caller);
    if (!result.errors?.length && result.data?.[plan.responseKey] == null) return null;
    return JSON.stringify(result);
  }
}

function sharedKey({ shareKey }: LiveSubscriptionPlan, id: string): string {
  return `${shareKey}\u0000${id}`;
}
