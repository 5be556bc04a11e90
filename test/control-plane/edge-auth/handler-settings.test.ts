import type { CloudFrontRequestEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fixture } from '../helpers/fixtures.ts';

// The handler keeps its settings for the life of the module (one Lambda@Edge environment); each test
// starts from a fresh module, since unit tests share their workers' module cache.
const freshHandler = async () => (await import('../../../control-plane/edge-auth/handler.ts')).handler;
beforeEach(() => {
  vi.resetModules();
});

describe('edge-auth handler settings', () => {
  it('names the setting that was not defined at bundle time', async () => {
    delete process.env.P13N_COGNITO_USER_POOL_ID;
    delete process.env.P13N_COGNITO_CLIENT_ID;
    const event = fixture('events/cloudfront-viewer-request.json') as CloudFrontRequestEvent;
    await expect((await freshHandler())(event)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringMatching(
        /P13N_COGNITO_USER_POOL_ID is not a Cognito user pool ID; P13N_COGNITO_CLIENT_ID is empty/,
      ),
    });
  });
});
