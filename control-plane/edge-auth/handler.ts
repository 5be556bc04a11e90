/**
 * Lambda@Edge entry. Lambda@Edge has no environment variables: the infra bundles this file with
 * esbuild `define` replacing the three `process.env.P13N_COGNITO_*` expressions with literals. Viewer
 * functions are size-limited, so the settings are checked by hand rather than with zod.
 */
import type { CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import { InvalidInput } from '../errors.ts';
import { createEdgeAuthHandler, type EdgeAuthHandler } from './edge-auth.ts';

let authorize: EdgeAuthHandler | undefined;

function fromBundle(): EdgeAuthHandler {
  const userPoolId = process.env.P13N_COGNITO_USER_POOL_ID ?? '';
  const clientId = process.env.P13N_COGNITO_CLIENT_ID ?? '';
  const region = process.env.P13N_COGNITO_REGION || undefined;
  const problems = [
    ...(/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId) ? [] : ['P13N_COGNITO_USER_POOL_ID is not a Cognito user pool ID']),
    ...(clientId ? [] : ['P13N_COGNITO_CLIENT_ID is empty']),
  ];
  if (problems.length > 0)
    throw new InvalidInput(`edge-auth settings (defined at bundle time): ${problems.join('; ')}`);
  return createEdgeAuthHandler({ userPoolId, clientId, region });
}

export async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
  authorize ??= fromBundle();
  return authorize(event);
}
