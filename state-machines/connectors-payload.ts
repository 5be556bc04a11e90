/**
 * The payload contract of the `connectors` state machine, shared by its ASL file, the task handlers,
 * `p13n connectors start` and the tests: the execution input (a job path, or the S3 event of a job's
 * config.json or of a finished batch inference output), the job description PrepareJob returns and
 * every later step reads, and the batches the Distributed Map hands its workers.
 */
import { z } from 'zod';
import { JobConfigError } from '../connectors/errors.ts';
import { JOB_TYPES, type JobType, jobConfigSchema } from '../connectors/job-config.ts';
import { objectCreatedEventSchema } from './load-item-metadata-payload.ts';

export interface JobPath {
  bucket: string;
  /** `etl_jobs/<type>/<job>/` */
  prefix: string;
  type: JobType;
  name: string;
  /** `s3://bucket/etl_jobs/<type>/<job>/` */
  url: string;
}

const JOB_PATH = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[^/]+\/)*?etl_jobs\/([^/]+)\/([^/]+))\/?$/;

/**
 * @example
 * parseJobPath('s3://conn/etl_jobs/related_items/spring/')
 * // { bucket: 'conn', prefix: 'etl_jobs/related_items/spring/', type: 'related_items', name: 'spring', url: … }
 * @throws JobConfigError naming the path when it is not s3://BUCKET/…/etl_jobs/<job type>/<job>/.
 */
export function parseJobPath(url: string): JobPath {
  const match = JOB_PATH.exec(url.trim());
  if (!match) throw new JobConfigError(`${url}: expected s3://BUCKET/etl_jobs/<${JOB_TYPES.join('|')}>/<job>/`);
  const [, bucket, path, type, name] = match as unknown as [string, string, string, string, string];
  if (!(JOB_TYPES as readonly string[]).includes(type)) {
    throw new JobConfigError(`${url}: unknown job type '${type}': expected ${JOB_TYPES.join(' or ')}`);
  }
  return { bucket, prefix: `${path}/`, type: type as JobType, name, url: `s3://${bucket}/${path}/` };
}

export const startInputSchema = z.union([z.strictObject({ jobPath: z.string().min(1) }), objectCreatedEventSchema]);
export type StartInput = z.infer<typeof startInputSchema>;

const location = z.object({ bucket: z.string().min(1), prefix: z.string() });

export const jobPathSchema = z.object({
  bucket: z.string(),
  prefix: z.string(),
  type: z.enum(JOB_TYPES),
  name: z.string(),
  url: z.string(),
});

/** What PrepareJob returns and every later step receives (as the Map's BatchInput). */
export const preparedJobSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ready'),
    job: jobPathSchema,
    config: jobConfigSchema,
    run: z.object({ id: z.string(), partition: z.string(), startedAt: z.string() }),
    jobType: z.enum(JOB_TYPES),
    /** The batch inference output folder (ItemReader of ProcessBatchOutput and CommitAndEnqueue). */
    batch: location,
    /** Related items: the user-item mapping folder (ItemReader of IndexUserItemMapping). */
    mapping: location.optional(),
    /** The job's own catalogue, built into a localdb object by PrepareJob. */
    catalogueKey: z.string().optional(),
    /** Child executions of each Distributed Map at once. */
    maxConcurrency: z.int().min(1),
    /** Part files per child execution (the ItemBatcher's MaxItemsPerBatch). */
    filesPerBatch: z.int().min(1),
  }),
  z.object({ status: z.literal('ignored'), reason: z.string() }),
]);
export type PreparedJob = z.infer<typeof preparedJobSchema>;
export type ReadyJob = Extract<PreparedJob, { status: 'ready' }>;

/** One object as the S3 ListObjectsV2 ItemReader lists it. */
export const listedObjectSchema = z.looseObject({ Key: z.string().min(1), Size: z.number().optional() });

/** What a Distributed Map worker receives from the ItemBatcher. */
export const workerBatchSchema = z.object({
  Items: z.array(listedObjectSchema),
  BatchInput: z.object({ job: preparedJobSchema }),
});
export type WorkerBatch = z.infer<typeof workerBatchSchema>;

/** The SQS message a delivery Lambda receives: at most one destination request's worth of users. */
export const deliveryMessageSchema = z.object({
  connector: z.enum(['braze', 'webhook']),
  /** Sync-state key prefix of the job, so refused users can be forgotten. */
  stateKey: z.string(),
  /** Webhook: the job's endpoint. */
  url: z.string().optional(),
  records: z
    .array(z.object({ userId: z.string(), signature: z.string(), record: z.record(z.string(), z.unknown()) }))
    .min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;
