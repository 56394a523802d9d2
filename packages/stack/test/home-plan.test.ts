import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';

/**
 * The gateway's plan for a home timeline page, from the committed
 * supergraph: the timeline subgraph provides every field a page shows, the
 * likes included, so the page is one fetch, to the timeline alone.
 */
const HOME = `query Home {
  homeTimeline(first: 20) {
    edges { node { id text createdAt editedAt likeCount likedByViewer author { handle displayName avatarUrl } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const supergraph = Supergraph.build(readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'));
const planner = new QueryPlanner(supergraph);

const plan = (query: string): QueryPlan => planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query)));

/** The subgraph of every fetch in a plan, in order. */
function fetchesOf(node: QueryPlan['node']): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node.serviceName];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    case 'Flatten':
      return fetchesOf(node.node);
    default:
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

describe('the gateway’s plan for the Home query', () => {
  it('is one fetch to the timeline subgraph, like counts and the viewer’s likes included', () => {
    expect(fetchesOf(plan(HOME).node)).toEqual(['timeline']);
  });

  it('still asks the owner for a field the timeline does not provide', () => {
    const withProfile = HOME.replace('author {', 'author { followersCount ');
    expect(fetchesOf(plan(withProfile).node)).toEqual(['timeline', 'users']);
  });
});
