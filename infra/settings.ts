/**
 * Deployment settings: the CDK context keys that choose what the app deploys, parsed and checked in
 * one place so a wrong key, value or combination fails synth with a message naming the key, before
 * any construct is built.
 */
import * as z from 'zod';
import { AUTH_SCHEMES, type AuthScheme } from '../contracts/auth-schemes.ts';
import { DEFAULT_TABLE_PREFIX } from '../schema/resolve-config.ts';

const API_ENTRY_POINT_TYPES = ['API-Gateway-HTTP', 'API-Gateway-REST'] as const;
const CACHE_SCHEMES = ['CloudFront', 'API-Gateway-Cache', 'Both', 'None'] as const;

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
  'experimentAnalytics',
  'tableNamePrefixes',
  'webAcl',
  'resourceTags',
  'cdnDomainName',
  'cdnCertificateArn',
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
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const US_EAST_1_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/;
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

/** `a, b,,c` → `['a', 'b', 'c']` */
const splitList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
/** A positive integer from cdk.json (a number) or `-c key=value` (a string). */
const count = (max: number) => z.coerce.number().int().min(1).max(max);

const connectorDestinations = z
  .string()
  .transform((value) => [...new Set(splitList(value.toLowerCase()))])
  .refine((names) => names.every((n) => (CONNECTOR_DESTINATIONS as readonly string[]).includes(n)), {
    error: `expected a comma-separated list of ${CONNECTOR_DESTINATIONS.join(', ')}`,
  });

const datasetGroups = z
  .string()
  .transform(splitList)
  .refine((names) => names.every((name) => /^[\w-]{1,63}$/.test(name)), {
    error: "expected 'all' or comma-separated Personalize dataset group names",
  });

/** DynamoDB table names are 3-255 of [A-Za-z0-9_.-]; a prefix leaves room for the namespace. */
const tableNamePrefixes = z
  .string()
  .transform(splitList)
  .refine((prefixes) => prefixes.length > 0 && prefixes.every((prefix) => /^[\w.-]{1,200}$/.test(prefix)), {
    error: 'expected comma-separated DynamoDB table name prefixes (letters, digits, _ . -)',
  });

/** AWS tag rules: keys 1-128 and values 0-256 of letters, digits, spaces and `_ . : / = + - @`; no `aws:` keys. */
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/iu;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** `key=value,key=value` (from -c) or an object of strings (from cdk.json). */
const resourceTags = z
  .union([z.string(), z.record(z.string(), z.string())])
  .transform((input, ctx) => {
    if (typeof input !== 'string') return input;
    const tags: Record<string, string> = {};
    for (const pair of input
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected key=value pairs separated by commas, got '${pair}'` });
        return z.NEVER;
      }
      tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return tags;
  })
  .refine((tags) => Object.keys(tags).length <= 40, { error: 'at most 40 tags' })
  .superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
      if (!TAG_KEY.test(key))
        ctx.addIssue({ code: 'custom', message: `invalid tag key '${key}' (1-128 characters, not aws:)` });
      if (!TAG_VALUE.test(value)) ctx.addIssue({ code: 'custom', message: `invalid value of tag '${key}'` });
    }
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
    authenticationScheme: oneOf(AUTH_SCHEMES).default('OAuth2-Cognito'),
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
    experimentAnalytics: yesNo.default(false),
    tableNamePrefixes: tableNamePrefixes.default([DEFAULT_TABLE_PREFIX]),
    webAcl: yesNo.default(false),
    resourceTags: resourceTags.default({}),
    cdnDomainName: z
      .string()
      .regex(HOST_NAME, { error: 'expected a lower-case host name like api.example.com' })
      .optional(),
    cdnCertificateArn: z
      .string()
      .regex(US_EAST_1_CERTIFICATE_ARN, {
        error: 'expected an ACM certificate ARN in us-east-1 (CloudFront reads them there)',
      })
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
    if (s.apiEntryPointType === 'API-Gateway-REST' && s.cacheScheme === 'CloudFront') {
      problem(
        'cacheScheme',
        `API-Gateway-REST allows only API-Gateway-Cache, Both or None, got '${s.cacheScheme}' (Both puts CloudFront in front of the stage cache)`,
      );
    }
    if (s.authenticationScheme === 'ApiKey' && s.cacheScheme === 'Both') {
      problem(
        'cacheScheme',
        'ApiKey allows only API-Gateway-Cache or None: behind CloudFront a cached answer would reach callers without a key',
      );
    }
    if (
      s.apiEntryPointType === 'API-Gateway-HTTP' &&
      (s.cacheScheme === 'API-Gateway-Cache' || s.cacheScheme === 'Both')
    ) {
      problem('cacheScheme', `API-Gateway-HTTP has no stage cache: use CloudFront or None, got '${s.cacheScheme}'`);
    }
    if ((s.cdnDomainName === undefined) !== (s.cdnCertificateArn === undefined)) {
      problem('cdnDomainName', 'cdnDomainName and cdnCertificateArn go together');
    }
    if (s.cdnDomainName !== undefined && s.cacheScheme !== 'CloudFront' && s.cacheScheme !== 'Both') {
      problem('cdnDomainName', `needs cacheScheme CloudFront or Both, got '${s.cacheScheme}'`);
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
  readonly authenticationScheme: AuthScheme;
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
  /** Firehose → S3 → Glue table → Athena workgroup for experiment readouts. */
  readonly experimentAnalytics: boolean;
  /** The `tableNamePrefix` values configurations may use; IAM allows tables starting with these only. */
  readonly tableNamePrefixes: readonly string[];
  /** Put an AWS WAF web ACL in front of CloudFront and the REST API. */
  readonly webAcl: boolean;
  /** Tags put on every resource of every stack. */
  readonly resourceTags: Readonly<Record<string, string>>;
  /** The API distribution's own domain and its us-east-1 ACM certificate (TLSv1.2_2021 then applies). */
  readonly cdnDomain: { readonly name: string; readonly certificateArn: string } | undefined;
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
    experimentAnalytics: c.experimentAnalytics,
    tableNamePrefixes: c.tableNamePrefixes,
    webAcl: c.webAcl,
    resourceTags: c.resourceTags,
    cdnDomain:
      c.cdnDomainName !== undefined && c.cdnCertificateArn !== undefined
        ? { name: c.cdnDomainName, certificateArn: c.cdnCertificateArn }
        : undefined,
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
