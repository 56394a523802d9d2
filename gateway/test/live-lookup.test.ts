import { readFileSync } from 'node:fs';
import { buildSchema, getOperationAST, parse, validate } from 'graphql';
import { LIVE_ID_VARIABLE, planLookup } from '../src/live/lookup.js';

/** The API schema clients validate against, as composed and committed. */
const schema = buildSchema(readFileSync(new URL('../../schema/api.graphql', import.meta.url), 'utf8'));

function plan(query: string) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return planLookup(schema, document, getOperationAST(document)!);
}

describe('planLookup', () => {
  it('turns a subscription into the lookup query by id, keeping the selection, its fragments and variables', () => {
    const lookup = plan(`
      subscription Live($first: Int) { homeTimelineTweetAdded { ...Card author { tweets(first: $first) { edges { cursor } } } } }
      fragment Card on Tweet { id text }`);
    expect(lookup.stream).toBe('homeTimeline');
    expect(lookup.responseKey).toBe('homeTimelineTweetAdded');
    expect(lookup.operationName).toBe('Live');
    expect(lookup.query).toContain(`query Live($first: Int, $${LIVE_ID_VARIABLE}: ID!)`);
    expect(lookup.query).toContain(`homeTimelineTweetAdded: tweet(id: $${LIVE_ID_VARIABLE}) {`);
    expect(lookup.query).toContain('fragment Card on Tweet');
    expect(validate(schema, parse(lookup.query))).toEqual([]);
  });

  it('keeps the client’s alias as the response key', () => {
    const lookup = plan(`subscription { mine: notificationAdded { id kind } }`);
    expect(lookup).toMatchObject({ stream: 'notifications', responseKey: 'mine', shared: false });
    expect(lookup.query).toContain(`mine: notification(id: $${LIVE_ID_VARIABLE})`);
  });

  it('shares a tweet’s resolution only when nothing selected depends on the viewer', () => {
    expect(plan(`subscription { homeTimelineTweetAdded { text author { handle } } }`).shared).toBe(true);
    expect(plan(`subscription { homeTimelineTweetAdded { likedByViewer } }`).shared).toBe(false);
    expect(plan(`subscription { homeTimelineTweetAdded { ...A } } fragment A on Tweet { author { email } }`).shared).toBe(false);
  });

  it('refuses the reserved variable name', () => {
    const document = parse(`subscription($${LIVE_ID_VARIABLE}: Int) { homeTimelineTweetAdded { id author { tweets(first: $${LIVE_ID_VARIABLE}) { pageInfo { hasNextPage } } } } }`);
    expect(() => planLookup(schema, document, getOperationAST(document)!)).toThrow(/reserved/);
  });
});
