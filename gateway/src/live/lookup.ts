import {
  GraphQLError,
  Kind,
  TypeInfo,
  print,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LiveStreams, type LiveStream } from '@chirp/platform';

/**
 * Each Subscription field, the stream that feeds it, and the Query field that
 * resolves one of its events by id. The gateway turns a client's
 * `homeTimelineTweetAdded { text author { handle } }` into
 * `tweet(id: $id) { text author { handle } }` and runs that through the
 * supergraph for every event, so a subscriber can select anything a query can.
 */
export const LIVE_FIELDS: Readonly<Record<string, { stream: LiveStream; lookupField: string; shareable: boolean }>> = {
  // A tweet looks the same to every follower but for a few viewer-dependent
  // fields, so one resolution can serve every subscriber that selects none of them.
  homeTimelineTweetAdded: { stream: LiveStreams.homeTimeline, lookupField: 'tweet', shareable: true },
  notificationAdded: { stream: LiveStreams.notifications, lookupField: 'notification', shareable: false },
};

/**
 * Fields whose value depends on who asks. A lookup that selects one of them
 * is resolved per subscriber; any other is resolved once, anonymously, and
 * shared, so it can never carry one user's private data to another.
 */
export const VIEWER_DEPENDENT_FIELDS: ReadonlySet<string> = new Set([
  'User.email',
  'User.birthDate',
  'User.followedByViewer',
  'Tweet.likedByViewer',
]);

/** The variable that carries the event's id into the lookup. */
export const LIVE_ID_VARIABLE = 'chirpLiveEventId';

export interface LookupPlan {
  stream: LiveStream;
  /** The lookup operation, printed once: Apollo Server caches its parse and its query plan by text. */
  query: string;
  operationName: string | undefined;
  /** Where the result sits in `data`: the client's alias or the subscription field's name. */
  responseKey: string;
  /** Whether one anonymous resolution may serve every subscriber with this plan. */
  shared: boolean;
}

/**
 * The lookup query for a validated subscription operation. Validation has
 * already made sure it has exactly one root field.
 */
export function planLookup(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): LookupPlan {
  const [selection] = operation.selectionSet.selections;
  if (selection?.kind !== Kind.FIELD || operation.selectionSet.selections.length !== 1) {
    throw new GraphQLError('Select the subscription field directly (not through a fragment).', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const live = LIVE_FIELDS[selection.name.value];
  if (!live) {
    throw new GraphQLError(`The gateway does not serve the subscription field "${selection.name.value}".`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  if (operation.variableDefinitions?.some((definition) => definition.variable.name.value === LIVE_ID_VARIABLE)) {
    throw new GraphQLError(`The variable name $${LIVE_ID_VARIABLE} is reserved.`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  const responseKey = selection.alias?.value ?? selection.name.value;
  const lookup: OperationDefinitionNode = {
    ...operation,
    operation: 'query' as OperationDefinitionNode['operation'],
    variableDefinitions: [...(operation.variableDefinitions ?? []), idVariableDefinition()],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [lookupField(selection, live.lookupField, responseKey)] },
  };
  const lookupDocument: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: document.definitions.map((definition) => (definition === operation ? lookup : definition)),
  };
  return {
    stream: live.stream,
    query: print(lookupDocument),
    operationName: operation.name?.value,
    responseKey,
    shared: live.shareable && !selectsViewerDependentField(schema, lookupDocument),
  };
}

function lookupField(selection: FieldNode, name: string, responseKey: string): FieldNode {
  return {
    ...selection,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: name },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'id' },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: LIVE_ID_VARIABLE } },
      },
    ],
  };
}

function idVariableDefinition() {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: LIVE_ID_VARIABLE } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  } as const;
}

/** Whether any field the document selects, through fragments too, is in VIEWER_DEPENDENT_FIELDS. */
function selectsViewerDependentField(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && VIEWER_DEPENDENT_FIELDS.has(`${parent.name}.${node.name.value}`)) found = true;
      },
    }),
  );
  return found;
}
