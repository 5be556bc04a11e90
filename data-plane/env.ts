/**
 * The environment variables the data plane reads, validated once at the entry point (Lambda handler
 * or `p13n serve`) and passed down; nothing deeper reads `process.env`.
 */
import * as z from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const timeZone = z
  .string()
  .optional()
  .transform((v) => v?.trim() || 'UTC')
  .refine(isTimeZone, { error: 'not an IANA time zone (e.g. Europe/Paris)' });

export const dataPlaneEnvSchema = z.object({
  P13N_CONFIG: optionalText,
  /** Secrets Manager ARN of the header CloudFront adds; set, requests without it get 403. */
  P13N_ORIGIN_SECRET_ARN: optionalText,
  P13N_APPCONFIG_APPLICATION: optionalText,
  P13N_APPCONFIG_ENVIRONMENT: optionalText,
  P13N_APPCONFIG_PROFILE: optionalText,
  P13N_CONFIG_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  P13N_DEFAULT_TIME_ZONE: timeZone,
  AWS_APPCONFIG_EXTENSION_PREFETCH_LIST: optionalText,
  AWS_APPCONFIG_EXTENSION_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).default(2772),
  /** Staging bucket whose `localdbs/{namespace}/` files localdb stores sync from (Lambda). */
  P13N_STAGING_BUCKET: optionalText,
  /** Where local item-metadata stores live (default `data`; `/tmp/p13n` on Lambda). */
  P13N_DATA_DIR: optionalText,
  AWS_REGION: optionalText,
  /** How long an expired cached response may still answer when its origin fails. */
  P13N_STALE_IF_ERROR_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /**
   * `ACCESS_KEY_ID:SECRET[,…]`: the Personalize-compatible API then accepts only requests SigV4-signed
   * with one of these keys (the AWS SDK signs every request).
   */
  P13N_SIGV4_CREDENTIALS: optionalText.refine((v) => v === undefined || /^[^:,]+:[^,]+(,[^:,]+:[^,]+)*$/.test(v), {
    error: 'must be ACCESS_KEY_ID:SECRET pairs, comma-separated',
  }),
  /** Memory budget of the in-process response cache; 0 turns the cache (and stale-if-error) off. */
  P13N_RESPONSE_CACHE_MB: z.coerce.number().min(0).max(4096).default(32),
  /** Set by Lambda when active tracing is on: X-Ray annotations are then recorded. */
  AWS_XRAY_DAEMON_ADDRESS: optionalText,
  /** Powertools' switch; `false` turns tracing off even when X-Ray is active. */
  POWERTOOLS_TRACE_ENABLED: optionalText,
  /** Total time one request may take (API Gateway gives up at 29 s). */
  P13N_REQUEST_BUDGET_MS: z.coerce.number().int().min(100).max(28_000).default(6000),
  /** How long a new configuration may wait for its stores' first download before it is refused (or, the first one, served not ready). */
  P13N_PREPARE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** `p13n serve`: how long SIGTERM/SIGINT waits for background work (exposures) before abandoning it. */
  P13N_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** DynamoDB table recording which event target took which event (Lambda; unset: an in-memory ledger per process). */
  P13N_EVENT_IDEMPOTENCY_TABLE: optionalText,
  /** How long a delivered event is remembered, so a retry of it reaches only the targets that did not take it. */
  P13N_EVENT_IDEMPOTENCY_SECONDS: z.coerce.number().int().min(60).max(604_800).default(3600),
  /** Read only to learn whether the clients talk to a local endpoint (which takes no host prefix). */
  AWS_ENDPOINT_URL: optionalText,
  AWS_ENDPOINT_URL_EVIDENTLY: optionalText,
});

export type DataPlaneEnv = z.output<typeof dataPlaneEnvSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * @example
 * const env = readDataPlaneEnv(process.env); // throws EnvError naming every bad variable
 */
export function readDataPlaneEnv(source: Record<string, string | undefined>): DataPlaneEnv {
  const parsed = dataPlaneEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`invalid environment: ${lines.join('; ')}`);
  }
  return parsed.data;
}
