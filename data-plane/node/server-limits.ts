/**
 * How long the Node server waits for slow clients and how many it holds at once. Node's defaults let a
 * client trickle its headers for a minute and its body for five, with no cap on connections, so a few
 * hundred slow sockets could hold the process; these bounds free them. Read once from the environment
 * by `p13n serve`.
 */
import * as z from 'zod';
import { EnvError } from '../env.ts';

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).max(3_600_000).default(fallback);

export const nodeServerLimitsSchema = z.object({
  /** Time to receive the complete request headers. */
  P13N_HEADERS_TIMEOUT_MS: milliseconds(10_000),
  /** Time to receive the whole request, headers and body. */
  P13N_REQUEST_TIMEOUT_MS: milliseconds(30_000),
  /** How long an idle keep-alive connection is kept open. */
  P13N_KEEP_ALIVE_TIMEOUT_MS: milliseconds(5_000),
  /** Most open connections; further ones are closed at once. */
  P13N_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

export interface NodeServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Bounds that suit a server facing the internet or a load balancer. */
export const DEFAULT_NODE_SERVER_LIMITS: NodeServerLimits = nodeServerLimits({});

/**
 * @example
 * nodeServerLimits(process.env); // throws EnvError naming every bad variable
 */
export function nodeServerLimits(source: Record<string, string | undefined>): NodeServerLimits {
  const parsed = nodeServerLimitsSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`invalid environment: ${lines.join('; ')}`);
  }
  const env = parsed.data;
  // Node requires the headers timeout not to exceed the request timeout.
  return {
    headersTimeoutMs: Math.min(env.P13N_HEADERS_TIMEOUT_MS, env.P13N_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: env.P13N_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.P13N_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.P13N_MAX_CONNECTIONS,
  };
}
