/**
 * The job configuration (`etl_jobs/<job type>/<job>/config.json`), one zod schema that gives the types,
 * the validation of `p13n connectors validate` and the checks every run starts with. It keeps the old
 * connectors' fields and adds `itemMetadata` (decorate from a namespace's existing store instead of the
 * job's own `input/item_metadata/` files) and the `webhook` destination.
 */
import * as z from 'zod';
import { JobConfigError } from './errors.ts';

export const JOB_TYPES = ['related_items', 'user_personalization'] as const;
export type JobType = (typeof JOB_TYPES)[number];

const fieldName = z.string().min(1).max(255);
const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Settings every destination shares: which metadata fields to send and extra per-user attributes. */
const destinationFields = {
  /** Item metadata fields sent per user; `id` is the item ID, `score` the batch job's score. Default: all. */
  itemMetadataFields: z.array(fieldName).min(1).optional(),
  /** Sent unchanged with every user. */
  otherAttributes: z.record(fieldName, attributeValue).default({}),
};

export const brazeConnectorSchema = z.strictObject({
  ...destinationFields,
  /** Put before every field name, e.g. `recs_` gives `recs_name`. */
  attributePrefix: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_$-]*$/, { error: 'letters, digits, _, $ and - only' })
    .default(''),
});

export const webhookConnectorSchema = z.strictObject({
  ...destinationFields,
  /** HTTPS endpoint receiving `{users: [...]}`; plain http only for loopback addresses (local runs, tests). */
  url: z.url().refine(
    (url) => {
      const u = new URL(url);
      return (
        u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
      );
    },
    { error: 'must be an https:// URL (http:// only for localhost)' },
  ),
  /** Users per request (default 100). */
  usersPerRequest: z.int().min(1).max(1000).default(100),
});

const itemMetadataSourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('localdb'), namespace: z.string().min(1) }),
  z.strictObject({
    type: z.literal('dynamodb'),
    namespace: z.string().min(1),
    tableNamePrefix: z.string().min(1).optional(),
    keyName: z.string().min(1).optional(),
  }),
]);

export const jobConfigSchema = z.strictObject({
  /** Where the batch inference job wrote its output: `s3://bucket/prefix/`, or locally a folder (relative to the job). */
  batchInferencePath: z.string().trim().min(1),
  /** Send only users whose decorated recommendations changed since the last successful run (default true). */
  performDeltaCheck: z.boolean().default(true),
  /** Keep the records the batch job could not answer under `errors/` (default false: counted, not kept). */
  saveBatchInferenceErrors: z.boolean().default(false),
  /** Decorate from a namespace's existing item-metadata store instead of `input/item_metadata/`. */
  itemMetadata: itemMetadataSourceSchema.optional(),
  connectors: z
    .strictObject({ braze: brazeConnectorSchema.optional(), webhook: webhookConnectorSchema.optional() })
    .refine((c) => Object.values(c).some((v) => v !== undefined), { error: 'declare at least one connector' }),
});

export type JobConfig = z.output<typeof jobConfigSchema>;
export type ConnectorName = keyof JobConfig['connectors'];
export type BrazeConnectorConfig = z.output<typeof brazeConnectorSchema>;
export type WebhookConnectorConfig = z.output<typeof webhookConnectorSchema>;
export type ItemMetadataSource = z.output<typeof itemMetadataSourceSchema>;

/** The connectors a job declares, in a stable order. */
export function declaredConnectors(config: JobConfig): ConnectorName[] {
  return (['braze', 'webhook'] as const).filter((name) => config.connectors[name] !== undefined);
}

/** The 1-based line of a character offset, for JSON syntax errors. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses and validates the text of a job's `config.json`.
 *
 * @example
 * parseJobConfig('{"batchInferencePath":"s3://b/out/","connectors":{"braze":{}}}', 'config.json')
 * // { batchInferencePath: 's3://b/out/', performDeltaCheck: true, saveBatchInferenceErrors: false, connectors: {...} }
 * @throws JobConfigError naming the file and, per problem, the line (syntax) or the field path.
 */
export function parseJobConfig(text: string, file: string): JobConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` line ${lineOf(text, Number(position))}:`;
    throw new JobConfigError(`${file}:${where} not valid JSON: ${message}`);
  }
  const result = jobConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new JobConfigError(`${file}: invalid job configuration\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * The job type and name from a job folder path laid out as `…/<job type>/<job>/` (local or S3).
 *
 * @example
 * jobIdentity('s3://bucket/etl_jobs/related_items/spring/') // { type: 'related_items', name: 'spring' }
 * @throws JobConfigError when the parent folder is not a known job type.
 */
export function jobIdentity(path: string): { type: JobType; name: string } {
  const parts = path.replace(/\/+$/, '').split('/');
  const name = parts.at(-1) ?? '';
  const type = parts.at(-2) ?? '';
  if (!(JOB_TYPES as readonly string[]).includes(type)) {
    throw new JobConfigError(
      `${path}: unknown job type '${type}': a job folder sits under ${JOB_TYPES.join('/ or ')}/ (etl_jobs/<job type>/<job>/)`,
    );
  }
  return { type: type as JobType, name };
}
