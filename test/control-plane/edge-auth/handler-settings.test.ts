import type { CloudFrontRequestEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../control-plane/edge-auth/handler.ts';
import { fixture } from '../helpers/fixtures.ts';

describe('edge-auth handler settings', () => {
  it('names the setting that was not defined at bundle time', async () => {
    delete process.env.P13N_COGNITO_USER_POOL_ID;
    delete process.env.P13N_COGNITO_CLIENT_ID;
    const event = fixture('events/cloudfront-viewer-request.json') as CloudFrontRequestEvent;
    await expect(handler(event)).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringMatching(
        /P13N_COGNITO_USER_POOL_ID is not a Cognito user pool ID; P13N_COGNITO_CLIENT_ID is empty/,
      ),
    });
  });
});
