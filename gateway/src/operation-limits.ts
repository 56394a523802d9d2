import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * What one operation may ask of the supergraph, checked before it is
 * planned, over HTTP and over WebSocket alike. The defaults sit well above
 * anything the product's own clients send (the README's queries and the
 * explorer's introspection) and far below what hurts a process.
 */
export interface OperationLimits {
  /** Lexical tokens in the document; graphql-js stops parsing past this. */
  tokens: number;
  /** Nesting of fields, fragment spreads counted as a level. */
  depth: number;
  /** Aliased fields, across the operation and its fragments. */
  aliases: number;
  /** Directives (`@include`, `@skip`, ...), across the operation and its fragments. */
  directives: number;
  /**
   * Estimated cost: one per field, and a list field (`first: n`) costs n
   * times what it selects. A subscription's cost is that of one event.
   */
  cost: number;
  /** Fields the cost estimate may visit once fragments are expanded; bounds the estimate's own work. */
  expandedFields: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  tokens: 2_000,
  depth: 12,
  aliases: 30,
  directives: 50,
  cost: 5_000,
  expandedFields: 5_000,
};

/** Which limit an operation broke, for the client (`extensions.limit`). */
export interface LimitBreach {
  name: keyof OperationLimits;
  maximum: number;
  found?: number;
}

/** The error a client gets for an operation over a limit: a client error (400), naming the limit and the figure. */
export function limitError(breach: LimitBreach, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: breach, http: { status: 400 } },
  });
}

/** graphql-armor's rules report through this, so a breach is an ordinary validation error rather than a throw. */
function reportTo(context: ValidationContext, toError: (found: number) => GraphQLError) {
  return {
    propagateOnRejection: false,
    onReject: [
      (_: unknown, error: GraphQLError) => {
        const found = Number(/found (\d+)/.exec(error.message)?.[1]);
        context.reportError(toError(found));
      },
    ],
  };
}

/**
 * The shape limits, as validation rules. graphql-armor's rules follow each
 * fragment once (they remember what a fragment counted), so a document of
 * fragments spread exponentially costs them linear time.
 */
export function shapeRules(limits: OperationLimits): ValidationRule[] {
  return [
    (context) =>
      maxDepthRule({
        n: limits.depth,
        ...reportTo(context, (found) =>
          limitError({ name: 'depth', maximum: limits.depth, found }, `The operation is ${found} levels deep; at most ${limits.depth} are allowed.`),
        ),
      })(context),
    (context) =>
      maxAliasesRule({
        n: limits.aliases,
        ...reportTo(context, (found) =>
          limitError({ name: 'aliases', maximum: limits.aliases, found }, `The operation has ${found} aliases; at most ${limits.aliases} are allowed.`),
        ),
      })(context),
    (context) =>
      maxDirectivesRule({
        n: limits.directives,
        ...reportTo(context, (found) =>
          limitError(
            { name: 'directives', maximum: limits.directives, found },
            `The operation has ${found} directives; at most ${limits.directives} are allowed.`,
          ),
        ),
      })(context),
  ];
}

/** A list field costs `first` times what it selects (its default when not given: `args` carries defaults). */
const listCost: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' && args.first > 1 ? args.first : 1;
  return 1 + first * childComplexity;
};

/**
 * The estimated cost of one operation with its variables, or a limit error.
 * graphql-query-complexity reads the variables (so `first: $n` counts),
 * and stops once it has visited `expandedFields` fields.
 */
export function checkCost(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined,
): number {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [listCost],
      maxQueryNodes: limits.expandedFields,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
      throw limitError(
        { name: 'expandedFields', maximum: limits.expandedFields },
        `The operation selects more than ${limits.expandedFields} fields once its fragments are expanded.`,
      );
    }
    // The estimate coerces the variables first: one that does not fit its type is the client's to fix.
    const message = error instanceof Error ? error.message : 'The variables do not fit the operation.';
    throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  if (cost > limits.cost) {
    throw limitError(
      { name: 'cost', maximum: limits.cost, found: cost },
      `The operation's estimated cost is ${cost}; at most ${limits.cost} is allowed. Ask for smaller pages (first) or fewer nested lists.`,
    );
  }
  return cost;
}

/**
 * Operations already found within the cost limit, by parsed document (Apollo
 * Server keeps one per distinct query text), then by operation name and the
 * variables that can change the cost.
 */
const withinCost = new WeakMap<DocumentNode, Set<string>>();
/** Distinct variable values remembered per document: a client paging with `first: $n` has a handful. */
const REMEMBERED_PER_DOCUMENT = 64;
/** A longer key (a long list of numbers, say) is estimated every time rather than kept. */
const MAX_REMEMBERED_KEY = 1_024;

/**
 * What the cost of an operation depends on besides its document: the values
 * of its variables that are not text. A page size (`first: $n`) multiplies
 * the cost and a Boolean can `@include` a field; a String or ID (a cursor, a
 * handle) changes nothing the estimate counts. So `Home($after: String)`
 * has one key whatever page it asks for, and is estimated once.
 */
function costKey(operation: OperationDefinitionNode, operationName: string | undefined | null, variables: Record<string, unknown> | undefined): string {
  const counted = (operation.variableDefinitions ?? [])
    .filter((definition) => !['String', 'ID'].includes(namedType(definition.type)))
    .map((definition) => variables?.[definition.variable.name.value] ?? null);
  return `${operationName ?? ''}\u0000${JSON.stringify(counted)}`;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/**
 * The cost limit in Apollo Server's pipeline: after validation (so the
 * shape rules have already bounded the document) and before the gateway
 * plans. Each operation is estimated once per document and cost key, not on
 * every request: the estimate cost a paged read about 26 µs, 5% of the
 * gateway's CPU in the benchmark's profile.
 */
export function costLimitPlugin<Context extends object>(limits: OperationLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, operationName, request, schema }) {
          if (!operation) return; // refused by the gateway's oneOperationToRun
          const key = costKey(operation, operationName, request.variables);
          let checked = withinCost.get(document);
          if (checked?.has(key)) return;
          checkCost(limits, schema, document, operationName, request.variables);
          if (!checked) withinCost.set(document, (checked = new Set()));
          if (checked.size < REMEMBERED_PER_DOCUMENT && key.length <= MAX_REMEMBERED_KEY) checked.add(key);
        },
      };
    },
  };
}

/** How the WebSocket edge parses and validates what HTTP has Apollo Server do, with the same limits. */
export function parseWithinLimits(limits: OperationLimits, query: string): DocumentNode {
  return parse(query, { maxTokens: limits.tokens });
}

export function validateWithinLimits(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  introspection: boolean,
): readonly GraphQLError[] {
  const rules = [...specifiedRules, ...shapeRules(limits), ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  // "Did you mean …?" tells a stranger the schema's field names: left out where introspection is off, as over HTTP.
  return validate(schema, document, rules, { hideSuggestions: !introspection });
}

/**
 * graphql-js's own refusals, said the way the gateway's limits are: the
 * token limit (a parse error) and its bound on comparing overlapping fields
 * (an aborted validation) are client errors that name what to change.
 */
export function explainLimitErrors(limits: OperationLimits) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    if (/^Syntax Error: Document contains more that \d+ tokens/.test(formatted.message)) {
      return {
        message: `The operation has more than ${limits.tokens} tokens (names, punctuation, values); at most ${limits.tokens} are allowed.`,
        extensions: { code: 'GRAPHQL_PARSE_FAILED', limit: { name: 'tokens', maximum: limits.tokens } satisfies LimitBreach },
      };
    }
    if (formatted.message === 'Validation aborted.') {
      return {
        message: 'The operation has too many fields of the same name to compare; select each field once.',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      };
    }
    return formatted;
  };
}
