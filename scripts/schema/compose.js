// npm run schema:compose — writes schema/supergraph.graphql and schema/api.graphql.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, compose, root } from './supergraph.js';

try {
  const { supergraph, api, hints } = compose();
  writeFileSync(SUPERGRAPH_FILE, supergraph);
  writeFileSync(API_SCHEMA_FILE, api);
  for (const hint of hints) console.log(`hint: ${hint.message}`);
  console.log(`Wrote ${relative(root, SUPERGRAPH_FILE)} and ${relative(root, API_SCHEMA_FILE)}.`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
