import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/** The subgraph's schema file sits beside its code, one level above `src/` and `dist/`. */
export const schemaPath = new URL('../schema.graphql', import.meta.url);
export const typeDefs = parse(readFileSync(schemaPath, 'utf8'));
