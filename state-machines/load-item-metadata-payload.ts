/**
 * The payload contract of the `load-item-metadata` state machine, shared by its ASL file, the task
 * handler and the tests: the S3 "Object Created" event EventBridge delivers (the execution input, and
 * the task's input) and what the task returns.
 */
import { z } from 'zod';

/** S3's EventBridge event. Unlike S3 event notifications, EventBridge carries the object key unencoded. */
export const objectCreatedEventSchema = z.looseObject({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  time: z.string().optional(),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1) }),
    object: z.looseObject({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEventSchema>;

/** One store loaded from the file. */
export const storeImportSchema = z.object({
  type: z.enum(['localdb', 'dynamodb']),
  location: z.string(),
  imported: z.int(),
  skipped: z.int(),
  purged: z.int().optional(),
});

export const loadItemMetadataResultSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('imported'),
    namespace: z.string(),
    key: z.string(),
    stores: z.array(storeImportSchema),
  }),
  z.object({ status: z.literal('ignored'), key: z.string(), reason: z.string() }),
]);
export type LoadItemMetadataResult = z.infer<typeof loadItemMetadataResultSchema>;
