// npm run schema:check — fails when
//   1. the subgraphs do not compose;
//   2. the committed schema/supergraph.graphql or schema/api.graphql is stale;
//   3. the API schema breaks what clients rely on, compared with the API
//      schema at SCHEMA_BASE_REF (default HEAD; CI on a branch sets it to the
//      main branch). Dangerous changes are printed but allowed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, compose, root } from './supergraph.js';

const failures = [];

function committedApiSchema(ref) {
  try {
    const path = relative(root, API_SCHEMA_FILE);
    return execFileSync('git', ['show', `${ref}:${path}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null; // no such ref or file yet: nothing to compare with
  }
}

let composed;
try {
  composed = compose();
  console.log('✓ the four subgraphs compose');
} catch (error) {
  failures.push(error.message);
}

if (composed) {
  for (const [file, text] of [[SUPERGRAPH_FILE, composed.supergraph], [API_SCHEMA_FILE, composed.api]]) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {}
    if (committed !== text) failures.push(`${relative(root, file)} is stale: run npm run schema:compose and commit it.`);
    else console.log(`✓ ${relative(root, file)} is up to date`);
  }

  const ref = process.env.SCHEMA_BASE_REF || 'HEAD';
  const baseline = committedApiSchema(ref);
  if (baseline) {
    const before = buildSchema(baseline);
    const after = buildSchema(composed.api);
    const breaking = findBreakingChanges(before, after);
    for (const change of findDangerousChanges(before, after)) console.log(`! dangerous: ${change.description}`);
    if (breaking.length > 0) {
      failures.push(
        `The API schema breaks clients, compared with ${ref}:\n` +
          breaking.map((change) => `  - ${change.type}: ${change.description}`).join('\n'),
      );
    } else {
      console.log(`✓ no breaking change against the API schema at ${ref}`);
    }
  } else {
    console.log(`- no API schema at ${ref} to compare with`);
  }
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`✗ ${failure}`);
  process.exit(1);
}
