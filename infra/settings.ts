/**
 * Deployment settings: the CDK context keys that choose what the app deploys, parsed and checked in
 * one place so a wrong key, value or combination fails synth with a message naming the key, before
 * any construct is built.
 */
import * as z from 'zod';

const AUTHENTICATION_SCHEMES = ['OAuth2-Cognito', 'ApiKey', 'None'] as const;
const API_ENTRY_POINT_TYPES = ['API-Gateway-HTTP', 'API-Gateway-REST'] as const;
const CACHE_SCHEMES = ['CloudFront', 'API-Gateway-Cache', 'Both', 'None'] as const;

export type AuthenticationScheme = (typeof AUTHENTICATION_SCHEMES)[number];
export type ApiEntryPointType = (typeof API_ENTRY_POINT_TYPES)[number];
export type CacheScheme = (typeof CACHE_SCHEMES)[number];

/** The context keys this app reads; everything else in the context belongs to CDK. */
const SETTING_KEYS = [
  'applicationName',
  'environmentName',
  'timeZone',
  'authenticationScheme',
  'createCognitoResources',
  'cognitoUserPoolId',
  'cognitoUserPoolClientId',
  'apiEntryPointType',
  'cacheScheme',
  'generateConfigDatasetGroups',
  'createSwaggerUi',
  'appConfigExtensionLayerArn',
  'connectorDestinations',
  'connectorsMaxConcurrency',
  'connectorsFilesPerBatch',
  'connectorsDeliveryConcurrency',
  'connectorsBatchInferenceBucket',
] as const;

const CONNECTOR_DESTINATIONS = ['braze', 'webhook'] as const;
export type ConnectorDestination = (typeof CONNECTOR_DESTINATIONS)[number];

const NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[\w-]+:\d+$/;

function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.string().refine((v): v is T[number] => (values as readonly string[]).includes(v), {
    error: (issue) => `expected one of ${values.join(' | ')}, got '${String(issue.input)}'`,
  }) as unknown as z.ZodType<T[number], string>;
}

/** `Yes|No|true|false` in any case, or a JSON boolean from cdk.json. */
const yesNo = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const lower = value.trim().toLowerCase();
  if (lower === 'yes' || lower === 'true') return true;
  if (lower === 'no' || lower === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `expected Yes | No | true | false, got '${value}'` });
  return z.NEVER;
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A positive integer from cdk.json (a number) or `-c key=value` (a string). */
const count = (max: number) => z.coerce.number().int().min(1).max(max);

const connectorDestinations = z
  .string()
  .transform((value) => [
    ...new Set(
      value
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ])
  .refine((names) => names.every((n) => (CONNECTOR_DESTINATIONS as readonly string[]).includes(n)), {
    error: `expected a comma-separated list of ${CONNECTOR_DESTINATIONS.join(', ')}`,
  });

const datasetGroups = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  )
  .refine((names) => names.every((name) => /^[\w-]{1,63}$/.test(name)), {
    error: "expected 'all' or comma-separated Personalize dataset group names",
  });

const contextSchema = z
  .strictObject({
    applicationName: z
      .string()
      .regex(NAME, { error: 'expected a letter then up to 39 letters, digits or hyphens' })
      .default('personalization-apis'),
    environmentName: z
      .string()
      .regex(NAME, { error: 'expected a letter then up to 39 letters, digits or hyphens' })
      .default('prod'),
    timeZone: z
      .string()
      .refine(isTimeZone, { error: 'expected an IANA time zone name such as Europe/Paris' })
      .default('UTC'),
    authenticationScheme: oneOf(AUTHENTICATION_SCHEMES).default('OAuth2-Cognito'),
    createCognitoResources: yesNo.default(true),
    cognitoUserPoolId: z
      .string()
      .regex(USER_POOL_ID, { error: 'expected a user pool ID like eu-west-1_AbCdEf123' })
      .optional(),
    cognitoUserPoolClientId: z
      .string()
      .regex(/^[\w+]{1,128}$/, { error: 'expected a user pool app client ID' })
      .optional(),
    apiEntryPointType: oneOf(API_ENTRY_POINT_TYPES).default('API-Gateway-HTTP'),
    cacheScheme: oneOf(CACHE_SCHEMES).default('CloudFront'),
    generateConfigDatasetGroups: datasetGroups.optional(),
    createSwaggerUi: yesNo.default(true),
    appConfigExtensionLayerArn: z
      .string()
      .regex(LAYER_ARN, { error: 'expected a Lambda layer version ARN' })
      .optional(),
    connectorDestinations: connectorDestinations.optional(),
    connectorsMaxConcurrency: count(10_000).default(20),
    connectorsFilesPerBatch: count(1_000).default(1),
    connectorsDeliveryConcurrency: count(1_000).default(5),
    connectorsBatchInferenceBucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.authenticationScheme === 'ApiKey' && s.apiEntryPointType !== 'API-Gateway-REST') {
      problem(
        'authenticationScheme',
        'ApiKey requires apiEntryPointType API-Gateway-REST (HTTP APIs have no API keys)',
      );
    }
    if (
      s.apiEntryPointType === 'API-Gateway-REST' &&
      s.cacheScheme !== 'API-Gateway-Cache' &&
      s.cacheScheme !== 'None'
    ) {
      problem('cacheScheme', `API-Gateway-REST allows only API-Gateway-Cache or None, got '${s.cacheScheme}'`);
    }
    if (
      s.apiEntryPointType === 'API-Gateway-HTTP' &&
      (s.cacheScheme === 'API-Gateway-Cache' || s.cacheScheme === 'Both')
    ) {
      problem('cacheScheme', `API-Gateway-HTTP has no stage cache: use CloudFront or None, got '${s.cacheScheme}'`);
    }
    const external = s.authenticationScheme === 'OAuth2-Cognito' && !s.createCognitoResources;
    if (external && (s.cognitoUserPoolId === undefined || s.cognitoUserPoolClientId === undefined)) {
      problem('createCognitoResources', 'No with OAuth2-Cognito needs cognitoUserPoolId and cognitoUserPoolClientId');
    }
    if (!external && (s.cognitoUserPoolId !== undefined || s.cognitoUserPoolClientId !== undefined)) {
      problem(
        'cognitoUserPoolId',
        'is only used with authenticationScheme OAuth2-Cognito and createCognitoResources No',
      );
    }
  });

type ParsedContext = z.output<typeof contextSchema>;

/** Where the Cognito user pool used to verify tokens comes from. */
export type CognitoSource =
  | { kind: 'create' }
  | { kind: 'existing'; userPoolId: string; clientId: string; region: string };

/** What to deploy, decided from the context. */
export interface DeploymentSettings {
  readonly applicationName: string;
  readonly environmentName: string;
  readonly timeZone: string;
  readonly authenticationScheme: AuthenticationScheme;
  readonly apiEntryPointType: ApiEntryPointType;
  readonly cacheScheme: CacheScheme;
  /** Set only for OAuth2-Cognito. */
  readonly cognito: CognitoSource | undefined;
  /** A CloudFront distribution fronts the API. */
  readonly cloudFront: boolean;
  /** The REST API stage has a cache cluster. */
  readonly apiGatewayCache: boolean;
  /** Dataset group names (or `['all']`) to generate the first configuration from; undefined seeds a skeleton. */
  readonly generateConfigDatasetGroups: readonly string[] | undefined;
  readonly createSwaggerUi: boolean;
  readonly appConfigExtensionLayerArn: string | undefined;
  /** The batch connectors, deployed when `connectorDestinations` names at least one destination. */
  readonly connectors: ConnectorsSettings | undefined;
}

export interface ConnectorsSettings {
  readonly destinations: readonly ConnectorDestination[];
  /** Child executions of each Distributed Map at once. */
  readonly maxConcurrency: number;
  /** Batch-inference part files per worker invocation. */
  readonly filesPerBatch: number;
  /** Delivery Lambdas at once per destination (SQS event source maximum concurrency, at least 2). */
  readonly deliveryConcurrency: number;
  /** Where Amazon Personalize writes batch inference output, when outside the connectors bucket. */
  readonly batchInferenceBucket: string | undefined;
}

/** Thrown when the context does not describe a deployment this app supports. */
export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
}

function toSettings(c: ParsedContext): DeploymentSettings {
  let cognito: CognitoSource | undefined;
  if (c.authenticationScheme === 'OAuth2-Cognito') {
    cognito =
      c.createCognitoResources || c.cognitoUserPoolId === undefined || c.cognitoUserPoolClientId === undefined
        ? { kind: 'create' }
        : {
            kind: 'existing',
            userPoolId: c.cognitoUserPoolId,
            clientId: c.cognitoUserPoolClientId,
            region: c.cognitoUserPoolId.split('_')[0] ?? '',
          };
  }
  return {
    applicationName: c.applicationName,
    environmentName: c.environmentName,
    timeZone: c.timeZone,
    authenticationScheme: c.authenticationScheme,
    apiEntryPointType: c.apiEntryPointType,
    cacheScheme: c.cacheScheme,
    cognito,
    cloudFront: c.cacheScheme === 'CloudFront' || c.cacheScheme === 'Both',
    apiGatewayCache: c.cacheScheme === 'API-Gateway-Cache' || c.cacheScheme === 'Both',
    generateConfigDatasetGroups: c.generateConfigDatasetGroups?.length ? c.generateConfigDatasetGroups : undefined,
    createSwaggerUi: c.createSwaggerUi,
    appConfigExtensionLayerArn: c.appConfigExtensionLayerArn,
    connectors: c.connectorDestinations?.length
      ? {
          destinations: c.connectorDestinations as ConnectorDestination[],
          maxConcurrency: c.connectorsMaxConcurrency,
          filesPerBatch: c.connectorsFilesPerBatch,
          deliveryConcurrency: Math.max(2, c.connectorsDeliveryConcurrency),
          batchInferenceBucket: c.connectorsBatchInferenceBucket,
        }
      : undefined,
  };
}

/**
 * Parses the app's context keys. `lookup` is usually `(key) => app.node.tryGetContext(key)`.
 *
 * @example
 * const settings = parseSettings((key) => app.node.tryGetContext(key));
 * // settings.cloudFront === true for the default combination
 * @throws InvalidSettingsError listing every problem, each naming its context key.
 */
export function parseSettings(lookup: (key: string) => unknown): DeploymentSettings {
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = lookup(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = contextSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(context)'}: ${issue.message}`);
    throw new InvalidSettingsError(`Invalid deployment settings (CDK context, -c key=value):\n${lines.join('\n')}`);
  }
  return toSettings(result.data);
}
