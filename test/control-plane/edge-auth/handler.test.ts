import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fixture } from '../helpers/fixtures.ts';

// The handler keeps its settings for the life of the module (one Lambda@Edge environment); each test
// starts from a fresh module, since unit tests share their workers' module cache.
const freshHandler = async () => (await import('../../../control-plane/edge-auth/handler.ts')).handler;
beforeEach(() => {
  vi.resetModules();
});

describe('edge-auth handler', () => {
  it('builds its verifier from the bundle-time settings and challenges requests without a token', async () => {
    process.env.P13N_COGNITO_USER_POOL_ID = 'us-east-1_TestPool1';
    process.env.P13N_COGNITO_CLIENT_ID = 'client-abc123';
    process.env.P13N_COGNITO_REGION = 'us-east-1';
    const event = fixture('events/cloudfront-viewer-request.json') as CloudFrontRequestEvent;
    const res = (await (await freshHandler())(event)) as CloudFrontResultResponse;
    expect(res.status).toBe('401');
    expect(res.headers?.['www-authenticate']?.[0]?.value).toBe('Bearer realm="personalization-apis"');
  });
});
