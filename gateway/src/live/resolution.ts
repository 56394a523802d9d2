import type { ExecutionResult } from 'graphql';
import type { Viewer } from '@chirp/platform';
import type { LookupPlan } from './lookup.js';
import { LIVE_ID_VARIABLE } from './lookup.js';

/** Who an operation runs as: the caller's header, forwarded to the subgraphs, and the verified viewer. */
export interface Caller {
  authorization: string | undefined;
  viewer: Viewer | null;
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
 * Resolves live events through the supergraph. When a plan is shared (it
 * selects no viewer-dependent field) one anonymous resolution per event
 * serves every subscriber with the same document and variables on this
 * gateway: a tweet reaching 10,000 open timelines is resolved once, not
 * 10,000 times.
 */
export class LiveResolver {
  private readonly shared = new Map<string, Promise<ExecutionResult>>();

  /** `shareWindowMs`: how long a shared result is kept for subscribers whose copy of the event arrives later. */
  constructor(
    private readonly run: RunOperation,
    private readonly shareWindowMs = 5_000,
  ) {}

  /** The result a subscriber receives for the event `id`, or null when there is nothing to send (deleted meanwhile). */
  async resolve(subscription: LiveSubscriptionPlan, id: string, caller: Caller): Promise<ExecutionResult | null> {
    const { plan, variables, shareKey } = subscription;
    // Built only when a resolution runs: a shared one is usually there already.
    const request = () => ({ query: plan.query, operationName: plan.operationName, variables: { ...variables, [LIVE_ID_VARIABLE]: id } });
    const result = await (plan.shared ? this.resolveShared(`${shareKey}\u0000${id}`, request) : this.run(request(), caller));
    if (!result.errors?.length && result.data?.[plan.responseKey] == null) return null;
    return result;
  }

  private resolveShared(key: string, request: () => Parameters<RunOperation>[0]): Promise<ExecutionResult> {
    let result = this.shared.get(key);
    if (!result) {
      result = this.run(request(), ANONYMOUS);
      this.shared.set(key, result);
      setTimeout(() => this.shared.delete(key), this.shareWindowMs).unref();
    }
    return result;
  }
}
