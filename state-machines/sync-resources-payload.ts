/**
 * The payload contract of the `sync-resources` state machine, shared by its ASL file, the three task
 * handlers and the tests: the EventBridge event the config validator puts (the execution input), the
 * `detail` each task receives, what each task returns, and the execution output.
 */
import { z } from 'zod';

export const CONFIG_CHANGE_SOURCE = 'personalization.apis';
export const CONFIG_CHANGE_DETAIL_TYPE = 'PersonalizationApisConfigurationChange';

/** `detail` of a configuration-change event; `config` is the decoded (already validated) configuration. */
export const configChangeDetailSchema = z.object({
  applicationId: z.string().min(1),
  configurationProfileId: z.string().min(1),
  configurationVersion: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
});
export type ConfigChangeDetail = z.infer<typeof configChangeDetailSchema>;

/** The execution input: the EventBridge event as the rule delivers it. */
export const configChangeEventSchema = z.looseObject({
  source: z.literal(CONFIG_CHANGE_SOURCE),
  'detail-type': z.literal(CONFIG_CHANGE_DETAIL_TYPE),
  detail: configChangeDetailSchema,
});
export type ConfigChangeEvent = z.infer<typeof configChangeEventSchema>;

export const generateOpenApiResultSchema = z.object({
  status: z.literal('ok'),
  location: z.string(),
  paths: z.int(),
});
export type GenerateOpenApiResult = z.infer<typeof generateOpenApiResultSchema>;

/** What happened to one managed resource. */
export const syncOutcomeSchema = z.enum(['created', 'updated', 'unchanged', 'skipped']);
export type SyncOutcome = z.infer<typeof syncOutcomeSchema>;

export const syncCacheSettingsResultSchema = z.object({
  status: z.literal('ok'),
  cachePolicy: syncOutcomeSchema,
  originRequestPolicy: syncOutcomeSchema,
  apiGatewayStage: syncOutcomeSchema,
  /** Methods whose request parameters or integration cache keys changed (a deployment followed). */
  apiGatewayMethods: z.int(),
});
export type SyncCacheSettingsResult = z.infer<typeof syncCacheSettingsResultSchema>;

export const syncDynamoDbTablesResultSchema = z.object({
  status: z.literal('ok'),
  tables: z.array(z.object({ tableName: z.string(), namespace: z.string(), outcome: syncOutcomeSchema })),
});
export type SyncDynamoDbTablesResult = z.infer<typeof syncDynamoDbTablesResultSchema>;

/** What a branch's Catch records instead of its result. */
export const taskFailureSchema = z.object({ status: z.literal('failed'), error: z.string(), cause: z.string() });

export const syncResourcesOutputSchema = z.object({
  configurationVersion: z.string(),
  generateOpenApi: z.union([generateOpenApiResultSchema, taskFailureSchema]),
  syncCacheSettings: z.union([syncCacheSettingsResultSchema, taskFailureSchema]),
  syncDynamoDbTables: z.union([syncDynamoDbTablesResultSchema, taskFailureSchema]),
});
export type SyncResourcesOutput = z.infer<typeof syncResourcesOutputSchema>;
