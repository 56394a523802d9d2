/** A connection as the API returns it (`edges` and `pageInfo`). */
export interface ConnectionOf<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A tiny GraphQL-over-HTTP client for end-to-end tests, as a front end would call the gateway. */
export interface GraphQLResponse<Data> {
  status: number;
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export class GraphQLClient {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  as(token: string | undefined): GraphQLClient {
    return new GraphQLClient(this.url, token);
  }

  async request<Data = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<Data>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
    return { status: response.status, ...body };
  }

  /** The data, or a thrown error listing the GraphQL errors. */
  // any: each test asserts the shape it expects, so the default stays loose.
  async data<Data = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Data> {
    const response = await this.request<Data>(query, variables);
    if (response.errors?.length || !response.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
    }
    return response.data;
  }

  /** The first error's code, field and message (for the error-case tests). */
  async error(query: string, variables: Record<string, unknown> = {}) {
    const response = await this.request(query, variables);
    const first = response.errors?.[0];
    if (!first) throw new Error(`Expected an error, got ${JSON.stringify(response.data)}`);
    return { code: first.extensions?.code, field: first.extensions?.field, message: first.message, response };
  }
}
