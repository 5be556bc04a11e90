/**
 * The Personalize-compatible operations in the OpenAPI document (data-plane/personalize-api/): the paths,
 * bodies and answers of Amazon Personalize Runtime and Personalize Events that the AWS SDK clients send
 * and expect, plus which configured recommender answers for which ARN. Errors carry their type in the
 * `x-amzn-ErrorType` header, as the service's do.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { PathItem } from './generate-openapi.ts';

export const PERSONALIZE_TAG = {
  name: 'personalize-compatible',
  description:
    'Amazon Personalize Runtime and Events operations, for apps that call Personalize with the AWS SDK: point the client\'s `endpoint` at this API. When the server has SigV4 keys (`P13N_SIGV4_CREDENTIALS`) the requests must be signed with one of them, as the SDK does; errors come in the service\'s shape (`x-amzn-ErrorType` header, `{"message"}` body).',
};

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const arn = { type: 'string', maxLength: 256 };
const id = { type: 'string', minLength: 1, maxLength: 256 };
const item = {
  type: 'object',
  required: ['itemId'],
  properties: {
    itemId: { type: 'string' },
    score: { type: 'number' },
    metadata: { ...stringMap, description: 'The metadataColumns asked for, from the item-metadata store.' },
    reason: { type: 'array', items: { type: 'string' } },
    promotionName: { type: 'string' },
  },
};
const properties = { type: 'string', description: 'A JSON object encoded as a string.' };

const ERRORS = {
  '400': 'InvalidInputException (a field is invalid; the message names it), LimitExceededException (body too large).',
  '403': 'UnrecognizedClientException (unsigned or unknown key) or InvalidSignatureException, when SigV4 is on.',
  '404': 'ResourceNotFoundException: no recommender for the ARN, no namespace for the tracking ID or dataset.',
  '429': 'ThrottlingException: the recommender behind the ARN is throttling.',
  '503': 'ServiceUnavailableException: the recommender failed or timed out and no fallback served.',
};

const errorResponses = Object.fromEntries(
  Object.entries(ERRORS).map(([status, description]) => [
    status,
    {
      description,
      headers: { 'x-amzn-ErrorType': { schema: { type: 'string' }, description: 'The exception type.' } },
      content: {
        'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } } } },
      },
    },
  ]),
);

function operation(
  operationId: string,
  summary: string,
  description: string,
  body: Record<string, unknown>,
  answer: Record<string, unknown>,
): PathItem {
  return {
    post: {
      tags: [PERSONALIZE_TAG.name],
      summary,
      description,
      operationId,
      parameters: [],
      requestBody: { required: true, content: { 'application/json': { schema: body } } },
      responses: {
        '200': { description: 'Done.', content: { 'application/json': { schema: answer } } },
        ...errorResponses,
      },
    },
  };
}

/** `arn → recommender` lines for the operations' descriptions. */
function arnList(resolved: ResolvedConfig, actions: readonly string[]): string {
  const lines: string[] = [];
  for (const ns of resolved.namespaces.values()) {
    for (const [action, recommenders] of Object.entries(ns.recommenders)) {
      if (!actions.includes(action)) continue;
      for (const rec of recommenders.values()) {
        const raw = resolved.config.namespaces[ns.key]?.recommenders?.[rec.action]?.[rec.key];
        const arns = [
          ...(raw?.arnAliases ?? []),
          ...[...rec.variations.values()].flatMap((v) =>
            'arn' in v && v.type.startsWith('personalize-') ? [v.arn] : [],
          ),
        ];
        for (const a of new Set(arns)) lines.push(`- \`${a}\` → ${action} ${ns.key}/${rec.key}`);
      }
    }
  }
  return lines.length > 0 ? `\n\nConfigured ARNs:\n${lines.join('\n')}` : '\n\nNo ARNs are configured.';
}

/**
 * @example
 * Object.keys(personalizePaths(resolved)); // ['/recommendations', '/personalize-ranking', …, '/users']
 */
export function personalizePaths(resolved: ResolvedConfig): Record<string, PathItem> {
  const runtime = {
    campaignArn: arn,
    recommenderArn: arn,
    userId: id,
    context: stringMap,
    filterArn: arn,
    filterValues: stringMap,
    metadataColumns: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
      description: 'Item columns to return, e.g. `{"ITEMS": ["name", "price"]}`; any number of them.',
    },
  };
  return {
    '/recommendations': operation(
      'personalize.GetRecommendations',
      'GetRecommendations (Personalize Runtime)',
      `The recommender answering for the ARN (a Personalize variation's ARN or an \`arnAliases\` entry) serves the request through the whole pipeline: experiments, filters, context, cache and fallback. With \`itemId\` it serves related-items, otherwise recommend-items.${arnList(resolved, ['recommend-items', 'related-items'])}`,
      {
        type: 'object',
        properties: { ...runtime, itemId: id, numResults: { type: 'integer', minimum: 1, maximum: 500 } },
      },
      {
        type: 'object',
        properties: { itemList: { type: 'array', items: item }, recommendationId: { type: 'string' } },
      },
    ),
    '/personalize-ranking': operation(
      'personalize.GetPersonalizedRanking',
      'GetPersonalizedRanking (Personalize Runtime)',
      `Ranks \`inputList\` with the rerank-items recommender answering for the ARN.${arnList(resolved, ['rerank-items'])}`,
      {
        type: 'object',
        required: ['userId', 'inputList'],
        properties: { ...runtime, inputList: { type: 'array', items: id, minItems: 1, maxItems: 500 } },
      },
      {
        type: 'object',
        properties: { personalizedRanking: { type: 'array', items: item }, recommendationId: { type: 'string' } },
      },
    ),
    '/action-recommendations': operation(
      'personalize.GetActionRecommendations',
      'GetActionRecommendations (Personalize Runtime)',
      'Served by the recommend-items recommender answering for the campaign ARN; its item IDs are the action IDs.',
      {
        type: 'object',
        required: ['campaignArn', 'userId'],
        properties: {
          campaignArn: arn,
          userId: id,
          numResults: { type: 'integer', minimum: 1, maximum: 100 },
          filterArn: arn,
          filterValues: stringMap,
        },
      },
      {
        type: 'object',
        properties: {
          actionList: {
            type: 'array',
            items: { type: 'object', properties: { actionId: { type: 'string' }, score: { type: 'number' } } },
          },
          recommendationId: { type: 'string' },
        },
      },
    ),
    '/events': operation(
      'personalize.PutEvents',
      'PutEvents (Personalize Events)',
      'The namespace whose `personalize-event-tracker` target has the `trackingId` (else the namespace named by it) receives the events: every target of the namespace gets them, with automatic context, as `POST /events/{namespace}` sends them.',
      {
        type: 'object',
        required: ['trackingId', 'sessionId', 'eventList'],
        properties: {
          trackingId: { type: 'string' },
          userId: id,
          sessionId: id,
          eventList: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: {
              type: 'object',
              required: ['eventType', 'sentAt'],
              properties: {
                eventId: id,
                eventType: id,
                eventValue: { type: 'number' },
                itemId: id,
                properties,
                sentAt: { type: 'number', description: 'Epoch seconds.' },
                recommendationId: { type: 'string', maxLength: 40 },
                impression: { type: 'array', items: id },
              },
            },
          },
        },
      },
      { type: 'object' },
    ),
    '/items': operation(
      'personalize.PutItems',
      'PutItems (Personalize Events)',
      "Upserts the items into the item-metadata stores of the dataset's namespace (its `datasetArns`, else the namespace named like the dataset group), so decoration changes at once; the next import of the catalogue replaces them. A localdb synced from the staging bucket cannot take writes (400).",
      {
        type: 'object',
        required: ['datasetArn', 'items'],
        properties: {
          datasetArn: arn,
          items: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: { type: 'object', required: ['itemId'], properties: { itemId: id, properties } },
          },
        },
      },
      { type: 'object' },
    ),
    '/users': operation(
      'personalize.PutUsers',
      'PutUsers (Personalize Events)',
      "Sends a `user` record per user to every event target of the dataset's namespace: a Personalize event tracker target forwards them with PutUsers to the same dataset; file, stream and bus targets record them; the embedded recommender ignores them.",
      {
        type: 'object',
        required: ['datasetArn', 'users'],
        properties: {
          datasetArn: arn,
          users: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: { type: 'object', required: ['userId'], properties: { userId: id, properties } },
          },
        },
      },
      { type: 'object' },
    ),
  };
}
