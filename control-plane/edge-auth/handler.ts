/**
 * Lambda@Edge entry. Lambda@Edge has no environment variables: the infra bundles this file with
 * esbuild `define` replacing the three `process.env.P13N_COGNITO_*` expressions with literals.
 */
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import { z } from 'zod';
import { parseInput } from '../parse-input.ts';
import { createEdgeAuthHandler, type EdgeAuthHandler } from './edge-auth.ts';

const settingsSchema = z.object({
  userPoolId: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, { error: 'not a Cognito user pool ID' }),
  clientId: z.string().min(1),
  region: z.string().min(1).optional(),
});

let authorize: EdgeAuthHandler | undefined;

export async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
  authorize ??= createEdgeAuthHandler(
    parseInput(
      settingsSchema,
      {
        userPoolId: process.env.P13N_COGNITO_USER_POOL_ID,
        clientId: process.env.P13N_COGNITO_CLIENT_ID,
        region: process.env.P13N_COGNITO_REGION || undefined,
      },
      'edge-auth settings (P13N_COGNITO_* defined at bundle time)',
    ),
  );
  return authorize(event);
}
