/**
 * The reusable parts of the generated OpenAPI document: body schemas, shared query parameters,
 * response headers, error responses and the security scheme of each authentication type. The paths
 * built in `generate-openapi.ts` refer to them by `$ref`.
 */

import type { AuthScheme } from '../auth-schemes.ts';

export const ref = (kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

// Optional parameters carry no `example`: Swagger UI's "Try it out" pre-fills inputs with examples, and a
// filter or context the caller did not choose would change (or break) the request. Examples go in the text.
const jsonStringMap = (description: string, example: Record<string, string>) => ({
  in: 'query',
  required: false,
  description: `${description} Example: \`${JSON.stringify(example)}\`.`,
  content: {
    'application/json': {
      schema: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
});

const flag = (name: string, description: string, defaultValue: boolean) => ({
  name,
  in: 'query',
  required: false,
  description: `${description} \`1\`, \`yes\` and \`true\` (any case) mean true; any other value means false. It is part of the cache key, so use one spelling consistently.`,
  schema: { type: 'string', default: String(defaultValue) },
});

const errorResponse = (description: string) => ({
  description,
  headers: { 'X-Personalization-Config-Version': ref('headers', 'ConfigVersion') },
  content: { 'application/json': { schema: ref('schemas', 'Error') } },
});

const schemas = {
  Item: {
    type: 'object',
    description: 'One recommended or ranked item.',
    required: ['itemId'],
    properties: {
      itemId: { type: 'string', example: '1234' },
      score: { type: 'number', description: 'Origin score, when the recommender gives one.', example: 0.0421 },
      metadata: {
        type: 'object',
        additionalProperties: true,
        description: "Item metadata from the namespace's item metadata store (when decoration is on).",
      },
    },
    additionalProperties: true,
  },
  MatchedExperiment: {
    type: 'object',
    description: 'The experiment and variation that served the request.',
    properties: {
      feature: { type: 'string', description: 'Experiment (feature) name.' },
      variation: { type: 'string', description: 'Variation key.' },
      method: { type: 'string', enum: ['hash', 'evidently'] },
      type: { type: 'string', enum: ['hash', 'evidently'], description: "Same as method (the old service's field)." },
      details: {
        type: 'object',
        description: "The experiment and treatment (Evidently's details for evidently experiments).",
        additionalProperties: true,
      },
    },
    additionalProperties: true,
  },
  RecommendationsResponse: {
    type: 'object',
    required: ['itemList', 'recommendationId'],
    properties: {
      itemList: { type: 'array', items: ref('schemas', 'Item') },
      recommendationId: {
        type: 'string',
        description: "The origin's (Personalize), else a generated UUIDv7. Pass it back on events to attribute them.",
      },
      matchedExperiment: ref('schemas', 'MatchedExperiment'),
    },
  },
  RankingResponse: {
    type: 'object',
    required: ['personalizedRanking', 'recommendationId'],
    properties: {
      personalizedRanking: { type: 'array', items: ref('schemas', 'Item') },
      recommendationId: { type: 'string', description: 'As for recommendations: pass it back on events.' },
      matchedExperiment: ref('schemas', 'MatchedExperiment'),
    },
  },
  ItemIds: {
    type: 'array',
    description: 'Item IDs to rank.',
    minItems: 1,
    maxItems: 500,
    items: { type: 'string', minLength: 1 },
    example: ['1234', '5678', '9012'],
  },
  Event: {
    type: 'object',
    required: ['eventType'],
    properties: {
      eventType: { type: 'string', example: 'click' },
      itemId: { type: 'string', example: '1234' },
      eventValue: { type: 'number' },
      impression: {
        type: 'array',
        items: { type: 'string' },
        description: 'Item IDs shown to the user when the event happened.',
      },
      properties: {
        type: 'string',
        description: 'JSON object encoded as a string; automatic context fills fields it lacks.',
        example: '{"discount":"Yes"}',
      },
      recommendationId: { type: 'string', description: 'The recommendationId of the response that led to the event.' },
      sentAt: {
        description: 'When the event happened: ISO 8601 date-time or seconds since the epoch (default now).',
        oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }],
      },
      eventId: {
        type: 'string',
        maxLength: 256,
        description:
          "The event's idempotency key: a retried request reaches only the targets that did not take the event. Without it an event with a `sentAt` is keyed by its content; one with neither is delivered every time it is posted.",
      },
    },
  },
  ExperimentConversion: {
    type: 'object',
    required: ['recommender', 'feature', 'metric'],
    properties: {
      recommender: { type: 'string', description: 'Recommender key the experiment belongs to.' },
      feature: { type: 'string', description: 'Experiment (feature) name.' },
      metric: { type: 'string', description: 'Metric name.' },
      value: { type: 'number', default: 1 },
    },
  },
  EventsRequest: {
    type: 'object',
    description: 'Modelled on Amazon Personalize PutEvents; at least one of eventList and experimentConversions.',
    properties: {
      sessionId: { type: 'string', description: 'Session the events belong to.', example: 'session-42' },
      userId: { type: 'string', example: '1234' },
      eventList: { type: 'array', minItems: 1, items: ref('schemas', 'Event') },
      experimentConversions: { type: 'array', minItems: 1, items: ref('schemas', 'ExperimentConversion') },
    },
    anyOf: [{ required: ['eventList'] }, { required: ['experimentConversions'] }],
  },
  EventsResponse: {
    type: 'object',
    description:
      "Outcome of the fan-out to the namespace's event targets. `alreadyDelivered` counts the events a target had taken in an earlier request (a retry), which were not sent to it again.",
    properties: {
      accepted: {
        type: 'object',
        properties: { events: { type: 'integer' }, conversions: { type: 'integer' } },
      },
      targets: { type: 'array', items: ref('schemas', 'TargetOutcome') },
    },
    additionalProperties: true,
  },
  TargetOutcome: {
    type: 'object',
    required: ['target', 'ok'],
    properties: {
      target: { type: 'string', example: 'kinesis-stream:clicks' },
      ok: { type: 'boolean' },
      error: {
        type: 'string',
        description:
          'Why the target failed: an error name, `DeadlineExceeded`, or `DeliveryInProgress` (another request is delivering these events to it now).',
      },
      alreadyDelivered: { type: 'integer', minimum: 1 },
    },
  },
  EventsDeliveryError: {
    allOf: [
      ref('schemas', 'Error'),
      {
        type: 'object',
        properties: { targets: { type: 'array', items: ref('schemas', 'TargetOutcome') } },
      },
    ],
  },
  Error: {
    type: 'object',
    required: ['type', 'code', 'message'],
    properties: {
      type: { type: 'string', enum: ['ClientError', 'OriginError', 'ServerError'] },
      code: { type: 'string', example: 'InvalidParameter' },
      message: { type: 'string', example: 'numResults must be an integer from 1 to 500' },
      requestId: {
        type: 'string',
        description: 'Server errors (5xx) only: the ID under which the details were logged; quote it when reporting.',
      },
    },
  },
};

const parameters = {
  filter: {
    name: 'filter',
    in: 'query',
    required: false,
    description:
      "Amazon Personalize filter name or ARN, e.g. `exclude-purchased`; overrides the recommender's configured filters. A bare name is resolved in the region and account of the variation.",
    schema: { type: 'string' },
  },
  filterValues: {
    name: 'filterValues',
    ...jsonStringMap(
      'Values of the filter expression placeholders, as a JSON string map; blended with the automatic filter values of the configuration.',
      { CATEGORY: '"shoes"' },
    ),
  },
  context: {
    name: 'context',
    ...jsonStringMap(
      'Context for contextual recommendations, as a JSON string map; explicit values win over automatic context.',
      { DEVICE: 'Phone' },
    ),
  },
  decorateItems: flag('decorateItems', 'Add item metadata to each item.', true),
  syntheticUser: flag(
    'syntheticUser',
    'The user ID stands for a group of users (it selects the syntheticUserSpecified cache settings).',
    false,
  ),
  relatedUserId: {
    name: 'userId',
    in: 'query',
    required: false,
    description: 'User the related items are for; needed by filters that require a user and by experiments.',
    schema: { type: 'string' },
  },
  ifNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'ETag of a cached response; while it is fresh the API answers 304 without calling the recommender.',
    schema: { type: 'string' },
  },
};

const headers = {
  CacheControl: {
    description: "Caching directives from the recommender's effective cacheControl.",
    schema: { type: 'string', example: 'max-age=300, public' },
  },
  ETag: {
    description: 'Validator for conditional requests with If-None-Match.',
    schema: { type: 'string' },
  },
  ConfigVersion: {
    description: 'Version of the configuration that served the request.',
    schema: { type: 'string' },
  },
  RecommendationId: {
    description: "The response's recommendationId (as in the body).",
    schema: { type: 'string' },
  },
  Variation: {
    description: 'The variation that answered (after any fallback).',
    schema: { type: 'string' },
  },
};

const responses = {
  NotModified: {
    description: 'The cached response named by If-None-Match is still fresh.',
    headers: { 'Cache-Control': ref('headers', 'CacheControl'), ETag: ref('headers', 'ETag') },
  },
  BadRequest: errorResponse('A parameter or the body is invalid; the message names it.'),
  Unauthorized: errorResponse('Missing or invalid credentials.'),
  Forbidden: errorResponse('The credentials do not allow this request.'),
  NotFound: errorResponse('Unknown namespace or recommender.'),
  PayloadTooLarge: errorResponse('The body is larger than the API accepts.'),
  TooManyRequests: errorResponse('The recommender throttled the request.'),
  InternalError: errorResponse('Unexpected failure.'),
  BadGateway: errorResponse('The recommender failed.'),
  EventDeliveryFailed: {
    description:
      'Some targets did not take the events (504 when the request ran out of time); `targets` says which did. Send the same request again: keyed events reach only the targets that did not take them.',
    headers: { 'X-Personalization-Config-Version': ref('headers', 'ConfigVersion') },
    content: { 'application/json': { schema: ref('schemas', 'EventsDeliveryError') } },
  },
  GatewayTimeout: errorResponse('The recommender did not answer in time.'),
};

const securitySchemes: Record<Exclude<AuthScheme, 'None'>, { name: string; scheme: Record<string, unknown> }> = {
  ApiKey: {
    name: 'ApiKey',
    scheme: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description: 'API Gateway API key.',
    },
  },
  'OAuth2-Cognito': {
    name: 'CognitoJwt',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Amazon Cognito access or ID token in the Authorization header.',
    },
  },
};

/** The `components` object and the document-level `security` requirement for an auth type. */
export function components(auth: AuthScheme) {
  const security = auth === 'None' ? undefined : securitySchemes[auth];
  return {
    components: {
      schemas,
      parameters,
      headers,
      responses,
      ...(security ? { securitySchemes: { [security.name]: security.scheme } } : {}),
    },
    security: security ? [{ [security.name]: [] }] : undefined,
  };
}
