import type { CommandStartedEvent, Document } from 'mongodb';
import type { CollectionSharding, ShardingPlan } from '@chirp/platform';

/** One filter a command sent, as a sharded cluster's router would see it. */
export interface RoutedQuery {
  collection: string;
  command: string;
  /** The filter's top-level fields, sorted, joined by commas (a ShardingPlan's scatterGather keys). */
  shape: string;
  /** Whether the shard key picks the shards: every field of the key given as an equality or an `$in`. */
  targeted: boolean;
}

/** Where each command kind keeps its filters; commands not listed (indexes, pings, getMore) carry none. */
const FILTERS: Record<string, (command: Document) => Document[]> = {
  find: (command) => [command.filter ?? {}],
  count: (command) => [command.query ?? {}],
  distinct: (command) => [command.query ?? {}],
  // countDocuments is an aggregation whose first stage is the filter.
  aggregate: (command) => [(command.pipeline as Document[] | undefined)?.[0]?.$match ?? {}],
  findAndModify: (command) => [command.query ?? {}],
  update: (command) => (command.updates as Document[]).map((update) => update.q as Document),
  delete: (command) => (command.deletes as Document[]).map((deletion) => deletion.q as Document),
};

/** The queries a command sent, each classified against the collection's shard key; none for commands without a filter. */
export function routedQueries(event: CommandStartedEvent, plan: ShardingPlan): RoutedQuery[] {
  const collection = event.command[event.commandName] as unknown;
  if (typeof collection !== 'string') return [];
  const keyFields = Object.keys(plan[collection]?.key ?? {});
  if (event.commandName === 'insert') {
    return (event.command.documents as Document[]).map((document) => ({
      collection,
      command: 'insert',
      shape: '(document)',
      targeted: keyFields.length > 0 && keyFields.every((field) => document[field] !== undefined),
    }));
  }
  const filters = FILTERS[event.commandName]?.(event.command);
  if (!filters) return [];
  return filters.map((filter) => ({
    collection,
    command: event.commandName,
    shape: Object.keys(filter).sort().join(','),
    targeted: keyFields.length > 0 && keyFields.every((field) => picksShards(filter[field])),
  }));
}

/** An equality or an `$in` (of any size) names the chunks; a range or a missing field on a hashed key does not. */
function picksShards(condition: unknown): boolean {
  if (condition === undefined) return false;
  if (condition === null || typeof condition !== 'object' || condition instanceof Date) return true;
  const operators = Object.keys(condition);
  return operators.length > 0 && operators.every((operator) => operator === '$in' || operator === '$eq');
}

/** What a plan does not account for: a collection it leaves out, or a scatter-gather it does not list. */
export function unplannedQueries(queries: Iterable<RoutedQuery>, plan: ShardingPlan): string[] {
  const problems = new Set<string>();
  for (const query of queries) {
    const sharding: CollectionSharding | undefined = plan[query.collection];
    if (!sharding) problems.add(`${query.collection}: not in the sharding plan`);
    else if (!query.targeted && !sharding.scatterGather?.[query.shape]) {
      problems.add(`${query.collection}: ${query.command} by {${query.shape}} reaches every shard and is not listed as a scatter-gather`);
    }
  }
  return [...problems].sort();
}
