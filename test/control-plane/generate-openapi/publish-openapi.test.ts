import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { publishOpenApi } from '../../../control-plane/generate-openapi/publish-openapi.ts';
import { validateConfig } from '../../../schema/validate-config.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { sample } from '../helpers/samples.ts';

describe('publishOpenApi', () => {
  it('writes openapi/openapi.json to the staging bucket with the servers and auth of the deployment', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const result = validateConfig(sample('config_simple.json'));
    if (!result.ok) throw new Error('sample is invalid');

    const out = await publishOpenApi(result.resolved, {
      s3: new S3Client({}),
      stagingBucket: 'p13n-staging',
      servers: ['https://api.example.com'],
      auth: 'OAuth2-Cognito',
      logger: recordingLogger(),
    });

    expect(out).toEqual({ status: 'ok', location: 's3://p13n-staging/openapi/openapi.json', paths: 11 }); // 5 of the configuration, 6 Personalize-compatible
    const [call] = s3.commandCalls(PutObjectCommand);
    expect(call!.args[0].input).toMatchObject({
      Bucket: 'p13n-staging',
      Key: 'openapi/openapi.json',
      ContentType: 'application/json',
    });
    const doc = JSON.parse(call!.args[0].input.Body as string);
    expect(doc).toMatchObject({ servers: [{ url: 'https://api.example.com' }], security: [{ CognitoJwt: [] }] });
  });
});
