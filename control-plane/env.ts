/**
 * Environment variables shared by several control-plane functions, as zod fields. Each handler picks
 * the ones it reads into its own schema and validates them once at cold start.
 */
import * as z from 'zod';
import { AUTH_SCHEMES } from '../contracts/auth-schemes.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const envFields = {
  P13N_STAGING_BUCKET: z.string().min(1),
  P13N_EVENT_BUS_NAME: z.string().min(1).default('default'),
  P13N_CACHE_POLICY_ID: optional,
  P13N_ORIGIN_REQUEST_POLICY_ID: optional,
  P13N_REST_API_ID: optional,
  P13N_REST_API_STAGE: optional,
  /** Comma-separated server URLs for the OpenAPI document. */
  P13N_API_URLS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  P13N_AUTH_SCHEME: z.enum(AUTH_SCHEMES).default('None'),
};
