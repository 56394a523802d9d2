import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the public contract (schema/api.graphql, composed
 * from the subgraphs): an operation that no longer matches the schema fails
 * here, and a changed result shape fails `tsc` where it is used, so a schema
 * change that breaks the client fails the build.
 */
const config: CodegenConfig = {
  // CHIRP_API_SCHEMA: another schema to check the operations against (web/test/codegen.test.ts).
  schema: process.env.CHIRP_API_SCHEMA ?? '../schema/api.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        // DateTime and Date are ISO strings on the wire.
        scalars: { DateTime: 'string', Date: 'string' },
        avoidOptionals: { field: true, inputValue: false },
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
        defaultScalarType: 'unknown',
      },
    },
  },
};

export default config;
