// What the gateway's operation limits cost a home-timeline read, measured in
// this process on the gateway's own code: the shape rules (graphql-armor)
// run when a document is first validated, which Apollo Server then keeps
// per distinct query text; the cost estimate (graphql-query-complexity)
// runs on every request whose operation has variables, and once per
// document for one without. CPU time per call, from process.cpuUsage.
//
//   node scripts/bench/measure-limits.js      # prints the figures as JSON

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { DEFAULT_OPERATION_LIMITS, checkCost, shapeRules } from '../../gateway/dist/operation-limits.js';
import { CARD_QUERY, HOME_QUERY } from './requests.js';
import { round } from './stats.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** The README's Home query, which pages with a variable: its cost is estimated on every read. */
export const HOME_WITH_CURSOR = HOME_QUERY;

/** Mean CPU microseconds of `work` over `runs` calls, after a warm-up. @param {() => unknown} work @param {number} runs */
function cpuMicroseconds(work, runs) {
  for (let i = 0; i < Math.min(runs, 500); i += 1) work();
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i += 1) work();
  const used = process.cpuUsage(start);
  return round((used.user + used.system) / runs, 1);
}

/** @param {{ runs?: number }} [options] */
export function measureLimits({ runs = 20_000 } = {}) {
  const schema = buildSchema(readFileSync(resolve(root, 'schema/api.graphql'), 'utf8'));
  const limits = DEFAULT_OPERATION_LIMITS;
  const rules = shapeRules(limits);
  const measure = (/** @type {string} */ query, /** @type {Record<string, unknown> | undefined} */ variables) => {
    const document = parse(query);
    return {
      query,
      cost: checkCost(limits, schema, document, undefined, variables),
      costEstimateMicroseconds: cpuMicroseconds(() => checkCost(limits, schema, document, undefined, variables), runs),
      validationMicroseconds: cpuMicroseconds(() => validate(schema, document, specifiedRules), runs / 10),
      validationWithShapeRulesMicroseconds: cpuMicroseconds(() => validate(schema, document, [...specifiedRules, ...rules]), runs / 10),
    };
  };
  return {
    limits,
    runs,
    // The bench's card-only read: no variables, so its cost is estimated once per document and a read pays nothing.
    benchQuery: measure(CARD_QUERY, undefined),
    // A client paging with $after pays the estimate on every read.
    pagedQuery: measure(HOME_WITH_CURSOR, { after: 'WyIyMTI3OTYwMTQ0NzY0MTEyODk2Il0' }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(measureLimits(), null, 2));
}
