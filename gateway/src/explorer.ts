import type { ApolloServerPlugin } from '@apollo/server';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const EXAMPLE = `# Welcome to Chirp. Sign up or log in, then put the token in the headers:
# { "Authorization": "Bearer <token>" }
mutation SignUp {
  signUp(input: { handle: "ada", email: "ada@example.com", password: "correct horse battery", firstName: "Ada", lastName: "Lovelace" }) {
    token
    user { id handle displayName }
  }
}

query Me {
  me { handle displayName followersCount followingCount }
}

# Live, over WebSocket (the same headers are sent in connection_init):
subscription Live {
  homeTimelineTweetAdded { id text author { handle displayName } }
}
`;

/**
 * `GET /graphql` from a browser opens GraphiQL. The page inlines all of
 * GraphiQL's code, so the explorer works with no CDN and no internet.
 */
export function offlineExplorer(): ApolloServerPlugin {
  const html = renderGraphiQL({ title: 'Chirp GraphQL explorer', defaultQuery: EXAMPLE, subscriptionsProtocol: 'WS' });
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
