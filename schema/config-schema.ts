/**
 * The configuration schema: the single source of truth for what a personalization-apis configuration
 * may contain. Types are inferred from it, the committed JSON Schema is generated from it and the
 * validator runs it before the semantic checks.
 *
 * It accepts the old system's configurations unchanged, including its spelling drift (variation type
 * `lambda` beside `function`, rule type `season-of-year` beside `season`, operator `start-with` beside
 * `starts-with`); `resolveConfig` normalises those aliases.
 */
import * as z from 'zod';

/** Keys that become URL path segments (namespaces, recommenders, variations). */
export const PATH_KEY = /^[A-Za-z0-9_-]+$/;
const pathKey = (what: string) =>
  z.string().regex(PATH_KEY, { error: `${what} keys may hold only letters, digits, '-' and '_'` });

export const ACTIONS = ['recommend-items', 'related-items', 'rerank-items'] as const;
export type Action = (typeof ACTIONS)[number];

export const MAX_NUM_RESULTS = 500;

const text = z.string().max(10_000);

// ---------------------------------------------------------------------------------------------
// Cache control
// ---------------------------------------------------------------------------------------------

export const cacheControlTypeSchema = z
  .strictObject({
    maxAge: z
      .int()
      .min(0)
      .max(31_536_000)
      .describe('Seconds a response may be cached; becomes the max-age directive of Cache-Control.'),
    directives: z
      .string()
      .regex(/^[\w\-=", ]*$/, {
        error: 'directives must be a comma-separated list of Cache-Control directives',
      })
      .optional()
      .describe("Extra Cache-Control directives, comma-separated, e.g. 'private' or 'public'."),
  })
  .describe('Cache-Control settings for one kind of request.')
  .meta({ id: 'cacheControlType' });

export const cacheControlSchema = z
  .strictObject({
    autoProvision: z
      .boolean()
      .optional()
      .describe('Let the control plane keep CloudFront and API Gateway cache settings in sync (default true).'),
    userSpecified: cacheControlTypeSchema.optional().describe('Requests that name a user.'),
    syntheticUserSpecified: cacheControlTypeSchema
      .optional()
      .describe('Requests whose user is synthetic (a cohort), flagged by syntheticUser=true.'),
    noUserSpecified: cacheControlTypeSchema.optional().describe('Requests without a user.'),
  })
  .describe('Cache control; inherited root → namespace → recommender → variation, nearest definition wins.')
  .meta({ id: 'cacheControl' });

// ---------------------------------------------------------------------------------------------
// Automatic context and dynamic filter values
// ---------------------------------------------------------------------------------------------

export const OPERATORS = ['equals', 'less-than', 'greater-than', 'contains', 'starts-with', 'ends-with'] as const;
export type Operator = (typeof OPERATORS)[number];

export const valueMappingSchema = z
  .strictObject({
    operator: z
      .enum([...OPERATORS, 'start-with'])
      .describe("Comparison applied to the rule's value ('start-with' is accepted as 'starts-with')."),
    value: z.union([z.string(), z.number()]).describe('Value compared against.'),
    mapTo: z.union([z.string(), z.number()]).describe('Value produced when the comparison holds.'),
  })
  .describe('Maps a rule value to a final value.')
  .meta({ id: 'valueMapping' });

const valueMappings = z.array(valueMappingSchema).max(1_000).optional();

export const headerValueRuleSchema = z
  .strictObject({
    type: z.literal('header-value'),
    header: z.string().min(1).max(256).describe('Request header name, lower-case.'),
    valueMappings: valueMappings.describe('Optional mappings; without them the header value is used as is.'),
  })
  .describe('Value taken from a request header.');

export const TIME_RULE_TYPES = ['hour-of-day', 'day-of-week', 'season', 'season-of-year'] as const;
export const SEASON_BOUNDARIES = ['solstice', 'meteorological'] as const;
export type SeasonBoundaries = (typeof SEASON_BOUNDARIES)[number];

export const timeRuleSchema = z
  .strictObject({
    type: z
      .enum(TIME_RULE_TYPES)
      .describe(
        "Hour 0-23, day of week 0 (Monday)-6, or season 0 spring-3 winter in the viewer's time zone and hemisphere.",
      ),
    valueMappings: valueMappings.describe('Optional mappings from the temporal value to a final value.'),
    seasonBoundaries: z
      .enum(SEASON_BOUNDARIES)
      .optional()
      .describe(
        "Season rules only: 'solstice' (default, as the old service: spring from 21 March, summer from 21 June, fall from 23 September, winter from 23 December) or 'meteorological' (whole months: spring March-May, summer June-August, fall September-November, winter December-February).",
      ),
  })
  .describe('Value derived from the current time in the viewer time zone.');

export const ruleSchema = z.discriminatedUnion('type', [headerValueRuleSchema, timeRuleSchema]).meta({ id: 'rule' });

export const FIELD_TYPES = ['string', 'integer', 'long', 'float'] as const;

export const contextFieldSchema = z
  .strictObject({
    type: z.enum(FIELD_TYPES).describe('Data type of the derived value.'),
    description: text.optional(),
    default: z.union([z.string(), z.number()]).optional().describe('Value used when no rule matches.'),
    evaluateAll: z
      .boolean()
      .optional()
      .describe('Evaluate every rule and collect the matches (true) or stop at the first match (false, default).'),
    joinValues: z
      .boolean()
      .optional()
      .describe(
        'With evaluateAll: send every match to the recommender joined with | (true), or only the first match (false, default, as the old service). Event properties always carry every match joined with |.',
      ),
    rules: z.array(ruleSchema).max(100).describe('Rules evaluated in order.'),
  })
  .describe('One derived field and the rules that produce it.')
  .meta({ id: 'contextField' });

export const autoContextSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_]+$/, { error: 'context field names are letters, digits and _' }),
    contextFieldSchema,
  )
  .describe('Automatic context fields keyed by field name (camelCase, as Personalize expects).')
  .meta({ id: 'autoContext' });

export const autoDynamicFilterValuesSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'filter parameter names are letters, digits, - and _' }),
    contextFieldSchema,
  )
  .describe('Dynamic filter parameter values derived from the request, keyed by parameter name.')
  .meta({ id: 'autoDynamicFilterValues' });

export const filterSchema = z
  .strictObject({
    arn: z.string().min(1).describe('Personalize filter ARN.'),
    condition: z
      .literal('user-required')
      .optional()
      .describe("'user-required': apply only when the request names a user."),
    autoDynamicFilterValues: autoDynamicFilterValuesSchema.optional(),
  })
  .describe('A Personalize filter; the first whose condition holds is applied.')
  .meta({ id: 'filter' });

export const filtersSchema = z.array(filterSchema).max(100);

// ---------------------------------------------------------------------------------------------
// Item metadata
// ---------------------------------------------------------------------------------------------

export const personalizeMetadataSchema = z
  .strictObject({
    type: z.literal('personalize'),
    itemColumns: z
      .array(z.string().min(1))
      .min(1)
      .max(10)
      .describe('Items dataset columns Personalize returns with recommendations (at most 10).'),
  })
  .describe('Metadata returned by Personalize itself (enableMetadataWithRecommendations).');

export const localdbMetadataSchema = z
  .strictObject({
    type: z.literal('localdb'),
    syncInterval: z
      .int()
      .min(5)
      .max(3600)
      .optional()
      .describe('Seconds between checks of the staging bucket for a new store file (default 300).'),
    sourceFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'JSON-lines catalogue (relative to the configuration file) that builds the store when it runs locally.',
      ),
  })
  .describe('Embedded key-value store (LMDB) read in-process.');

export const dynamodbMetadataSchema = z
  .strictObject({
    type: z.literal('dynamodb'),
    autoProvision: z
      .boolean()
      .optional()
      .describe('Create and update the table from this configuration (default true).'),
    billingMode: z.enum(['PROVISIONED', 'PAY_PER_REQUEST']).optional().describe('Default PAY_PER_REQUEST.'),
    provisionedThroughput: z
      .strictObject({
        readCapacityUnits: z.int().min(1).max(40_000),
        writeCapacityUnits: z.int().min(1).max(40_000),
      })
      .optional()
      .describe('Required with PROVISIONED billing.'),
    tableNamePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]*$/)
      .max(200)
      .optional()
      .describe("Table name prefix; the namespace key follows (default 'PersonalizationApiItemMetadata_')."),
    keyName: z.string().min(1).max(255).optional().describe("Partition key attribute (default 'id')."),
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional().describe('Tags for the table.'),
  })
  .describe('DynamoDB table read with BatchGetItem.');

export const inferenceItemMetadataSchema = z
  .discriminatedUnion('type', [personalizeMetadataSchema, localdbMetadataSchema, dynamodbMetadataSchema])
  .describe('Where item metadata used to decorate responses comes from.')
  .meta({ id: 'inferenceItemMetadata' });

// ---------------------------------------------------------------------------------------------
// Variations
// ---------------------------------------------------------------------------------------------

/** Fields every variation may carry; the inheritable ones override the recommender's. */
const variationCommon = {
  name: text.optional(),
  description: text.optional(),
  timeoutMs: z.int().min(1).max(60_000).optional().describe('Origin call timeout in milliseconds.'),
  fallback: z
    .string()
    .regex(PATH_KEY)
    .optional()
    .describe('Another variation of the same recommender used when this one fails or times out.'),
  filters: filtersSchema.optional(),
  autoContext: autoContextSchema.optional(),
  cacheControl: cacheControlSchema.optional(),
  inferenceItemMetadata: inferenceItemMetadataSchema.optional(),
};

export const personalizeVariationSchema = z
  .strictObject({
    type: z.enum(['personalize-campaign', 'personalize-recommender']),
    arn: z.string().min(1).describe('Personalize campaign or recommender ARN.'),
    ...variationCommon,
  })
  .describe('Amazon Personalize campaign or recommender.');

export const functionVariationSchema = z
  .strictObject({
    type: z.enum(['function', 'lambda']).describe("AWS Lambda function ('lambda' is accepted as 'function')."),
    arn: z.string().min(1).describe('Lambda function ARN.'),
    ...variationCommon,
  })
  .describe('AWS Lambda function invoked with the recommendation payload.');

export const sagemakerVariationSchema = z
  .strictObject({
    type: z.literal('sagemaker'),
    endpointName: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, { error: 'not a valid SageMaker endpoint name' })
      .describe('SageMaker endpoint name.'),
    ...variationCommon,
  })
  .describe('Amazon SageMaker endpoint invoked with the recommendation payload as JSON.');

/**
 * Placeholders an `http` variation's URL may hold: the request's user, item(s) and result count, and
 * the inference query parameters the old service filled from the query string (their values as sent).
 */
export const URL_PLACEHOLDERS = [
  'userId',
  'itemId',
  'itemIds',
  'numResults',
  'filter',
  'filterValues',
  'context',
  'feature',
  'decorateItems',
  'syntheticUser',
] as const;
export type UrlPlaceholder = (typeof URL_PLACEHOLDERS)[number];

/** The names of the `{placeholders}` in a URL template, in order. */
export function urlPlaceholders(url: string): string[] {
  return [...url.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
}

export const httpVariationSchema = z
  .strictObject({
    type: z.literal('http'),
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        `Recommender URL. It may hold placeholders, filled URL-encoded from the request: ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
      ),
    method: z
      .enum(['GET', 'POST'])
      .optional()
      .describe(
        'GET the URL, or POST the payload as JSON. Default: GET when the URL holds placeholders (as the old service did), else POST.',
      ),
    headers: z
      .record(z.string().min(1), z.string())
      .optional()
      .describe(
        "Extra request headers (credentials too): sent to the URL's host only, never after a redirect to another host.",
      ),
    maxResponseBytes: z
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional()
      .describe('Largest answer read from the recommender, in bytes; a longer one is a 502. Default 1 MiB.'),
    ...variationCommon,
  })
  .describe('Any HTTP recommender.');

export const builtinVariationSchema = z
  .strictObject({
    type: z.literal('builtin'),
    interactionsFile: z
      .string()
      .min(1)
      .optional()
      .describe('Interactions CSV (USER_ID,ITEM_ID,TIMESTAMP[,EVENT_TYPE]) the model is trained from at start-up.'),
    algorithm: z
      .enum(['cooccurrence', 'popularity'])
      .optional()
      .describe("'cooccurrence' (default): item co-occurrence with a popularity fallback; 'popularity' only."),
    excludeInteracted: z
      .boolean()
      .optional()
      .describe('Leave items the user already interacted with out of recommend-items (default true).'),
    learnNewItems: z
      .boolean()
      .optional()
      .describe(
        "Learn events for items found neither in the interactions file nor in the namespace's item metadata (default false: anyone can post events, so unknown item IDs are ignored).",
      ),
    maxUsers: z
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe('Users the model remembers at most; the least recently active are forgotten first (default 100,000).'),
    ...variationCommon,
  })
  .describe('The embedded recommender, trained in-process and updated online from events.');

export const variationSchema = z
  .discriminatedUnion('type', [
    personalizeVariationSchema,
    functionVariationSchema,
    sagemakerVariationSchema,
    httpVariationSchema,
    builtinVariationSchema,
  ])
  .meta({ id: 'variation' });

// ---------------------------------------------------------------------------------------------
// Experiments
// ---------------------------------------------------------------------------------------------

export const evidentlyExperimentSchema = z
  .strictObject({
    method: z.literal('evidently'),
    project: z.string().min(1).describe('Evidently project name or ARN.'),
    description: text.optional(),
    metrics: z
      .record(
        z.string().regex(/^\S+$/),
        z.strictObject({
          trackExposures: z
            .boolean()
            .optional()
            .describe(
              'Send an exposure event (value 0) to Evidently when the experiment serves a user (default true).',
            ),
          entityIdKey: z.string().min(1),
          valueKey: z.string().min(1),
        }),
      )
      .describe('Evidently metrics keyed by metric name.'),
  })
  .describe('CloudWatch Evidently experiment (kept for old configurations; the service was discontinued).');

export const experimentMetricSchema = z
  .strictObject({
    description: text.optional(),
    eventType: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'Events of this type count as conversions when attributed: their recommendationId is one this experiment served, or their itemId was recommended to the user by it within windowHours.',
      ),
    windowHours: z
      .number()
      .positive()
      .max(24 * 90)
      .optional()
      .describe('Attribution window after the response, in hours (default 24).'),
    value: z
      .union([z.literal('eventValue'), z.number()])
      .optional()
      .describe("A conversion's value: the event's `eventValue` (0 when absent), or a constant (default 1)."),
  })
  .meta({ id: 'experimentMetric' });

export const hashExperimentSchema = z
  .strictObject({
    method: z.literal('hash'),
    description: text.optional(),
    weights: z
      .record(z.string().regex(PATH_KEY), z.number().min(0).max(100))
      .describe('Percentage of users per variation key; the weights sum to 100.'),
    salt: z.string().max(256).optional().describe('Changes the bucketing without renaming the experiment.'),
    metrics: z
      .record(z.string().regex(/^\S+$/), experimentMetricSchema)
      .optional()
      .describe(
        'Conversion metrics: posted `experimentConversions` name them, and those with an `eventType` also count ordinary events attributed to this experiment.',
      ),
    minimumSample: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Users exposed per variation before the readout is worth acting on (decided before the test starts).'),
  })
  .describe('Built-in deterministic weighted bucketing of users; no network call.');

export const experimentSchema = z
  .discriminatedUnion('method', [evidentlyExperimentSchema, hashExperimentSchema])
  .meta({ id: 'experiment' });

// ---------------------------------------------------------------------------------------------
// Recommenders
// ---------------------------------------------------------------------------------------------

export const responsePostProcessorSchema = z
  .strictObject({
    type: z.enum(['lambda', 'function']),
    arn: z.string().min(1).describe('Lambda function ARN.'),
    lookAheadMultiplier: z
      .number()
      .min(1)
      .max(100)
      .optional()
      .describe('Ask the origin for numResults × this many items so the post-processor can drop some.'),
    lookAheadMaximumValue: z.int().min(1).max(10_000).optional().describe('Cap on the look-ahead count.'),
  })
  .describe('Lambda function that rewrites the response before it is returned.')
  .meta({ id: 'responsePostProcessor' });

export const recommenderSchema = z
  .strictObject({
    name: text.optional(),
    description: text.optional(),
    cacheControl: cacheControlSchema.optional(),
    autoContext: autoContextSchema.optional(),
    filters: filtersSchema.optional(),
    inferenceItemMetadata: inferenceItemMetadataSchema.optional(),
    responsePostProcessor: responsePostProcessorSchema.optional(),
    arnAliases: z
      .array(z.string().min(1).max(256))
      .max(20)
      .optional()
      .describe(
        'Personalize campaign or recommender ARNs this recommender answers for in the Personalize-compatible API (POST /recommendations, /personalize-ranking), so any recommender can stand behind an ARN an app already calls.',
      ),
    defaultNumResults: z
      .int()
      .min(1)
      .max(MAX_NUM_RESULTS)
      .optional()
      .describe('numResults when the request omits it (default 25).'),
    maxNumResults: z
      .int()
      .min(1)
      .max(MAX_NUM_RESULTS)
      .optional()
      .describe('Largest numResults accepted (default 500).'),
    experiments: z
      .record(z.string().regex(/^[-a-zA-Z0-9._]+$/), experimentSchema)
      .optional()
      .describe('Experiments keyed by feature name; the first is used when a request names none.'),
    variations: z
      .record(pathKey('variation'), variationSchema)
      .optional()
      .describe('Implementations of this recommender keyed by variation key; the first is the default.'),
  })
  .describe('A recommender: one use case, one or more variations.')
  .meta({ id: 'recommender' });

const recommendersByKey = z.record(pathKey('recommender'), recommenderSchema);

export const recommendersSchema = z
  .strictObject({
    'recommend-items': recommendersByKey.optional(),
    'related-items': recommendersByKey.optional(),
    'rerank-items': recommendersByKey.optional(),
  })
  .describe('Recommenders keyed by API action, then by recommender key.');

// ---------------------------------------------------------------------------------------------
// Event targets
// ---------------------------------------------------------------------------------------------

export const RECORD_FORMATS = ['records', 'request'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export const eventTargetSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('personalize-event-tracker'),
        trackingId: z.string().regex(/^[a-zA-Z0-9[\]_-]+$/, { error: 'not a valid tracking ID' }),
      })
      .describe('Amazon Personalize event tracker (experiment conversions are not sent).'),
    z
      .strictObject({
        type: z.enum(['kinesis-stream', 'kinesis-firehose']),
        streamName: z.string().regex(/^[a-zA-Z0-9[\]_.-]+$/, { error: 'not a valid stream name' }),
        recordFormat: z
          .enum(RECORD_FORMATS)
          .optional()
          .describe(
            "'records' (default): one JSON line per event, conversion and exposure. 'request': the old service's format, one JSON document per POST /events request ({namespace, path, headers, queryStringParameters, body}); exposures are not sent in it.",
          ),
      })
      .describe('Kinesis data stream or Firehose delivery stream.'),
    z
      .strictObject({
        type: z.literal('eventbridge'),
        eventBusName: z.string().min(1).max(1600).optional().describe("Bus name or ARN (default 'default')."),
        source: z.string().min(1).max(256).optional().describe("Event source (default 'personalization.apis')."),
      })
      .describe('Amazon EventBridge bus.'),
    z
      .strictObject({
        type: z.literal('file'),
        path: z.string().min(1).describe('JSON-lines file, relative to the configuration file.'),
      })
      .describe('Local JSON-lines file, for running without a cloud account.'),
    z.strictObject({ type: z.literal('builtin') }).describe('Feeds the embedded recommenders of the namespace.'),
  ])
  .meta({ id: 'eventTarget' });

// ---------------------------------------------------------------------------------------------
// Namespaces and root
// ---------------------------------------------------------------------------------------------

export const namespaceSchema = z
  .strictObject({
    name: text.optional(),
    description: text.optional(),
    cacheControl: cacheControlSchema.optional(),
    autoContext: autoContextSchema.optional(),
    filters: filtersSchema.optional(),
    inferenceItemMetadata: inferenceItemMetadataSchema.optional(),
    recommenders: recommendersSchema.optional(),
    eventTargets: z.array(eventTargetSchema).max(20).optional().describe('Where events posted to the namespace go.'),
    datasetArns: z
      .array(z.string().min(1).max(256))
      .max(20)
      .optional()
      .describe(
        'Personalize dataset ARNs whose PutItems and PutUsers calls the Personalize-compatible API applies to this namespace (a dataset of a dataset group named like the namespace matches without this).',
      ),
  })
  .describe('A namespace: an application or dataset group.')
  .meta({ id: 'namespace' });

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .union([z.string().max(128), z.number()])
      .optional()
      .describe('Configuration version, echoed in the X-Personalization-Config-Version response header.'),
    title: text.optional(),
    description: text.optional(),
    cacheControl: cacheControlSchema.optional(),
    autoContext: autoContextSchema.optional(),
    filters: filtersSchema.optional(),
    inferenceItemMetadata: inferenceItemMetadataSchema.optional(),
    namespaces: z.record(pathKey('namespace'), namespaceSchema).describe('Namespaces keyed by the path segment.'),
  })
  .describe('Personalization APIs configuration');

export type Config = z.infer<typeof configSchema>;
export type NamespaceConfig = z.infer<typeof namespaceSchema>;
export type RecommenderConfig = z.infer<typeof recommenderSchema>;
export type VariationConfig = z.infer<typeof variationSchema>;
export type ExperimentConfig = z.infer<typeof experimentSchema>;
export type HashExperimentConfig = z.infer<typeof hashExperimentSchema>;
export type ExperimentMetricConfig = z.infer<typeof experimentMetricSchema>;
export type EvidentlyExperimentConfig = z.infer<typeof evidentlyExperimentSchema>;
export type EventTargetConfig = z.infer<typeof eventTargetSchema>;
export type CacheControlConfig = z.infer<typeof cacheControlSchema>;
export type CacheControlType = z.infer<typeof cacheControlTypeSchema>;
export type AutoContextConfig = z.infer<typeof autoContextSchema>;
export type ContextFieldConfig = z.infer<typeof contextFieldSchema>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type ValueMappingConfig = z.infer<typeof valueMappingSchema>;
export type FilterConfig = z.infer<typeof filterSchema>;
export type ItemMetadataConfig = z.infer<typeof inferenceItemMetadataSchema>;
export type ResponsePostProcessorConfig = z.infer<typeof responsePostProcessorSchema>;
