import { Readable } from 'node:stream';
import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../control-plane/load-item-metadata/handler.ts';
import {
  loadItemMetadataResultSchema,
  objectCreatedEventSchema,
} from '../../state-machines/load-item-metadata-payload.ts';
import { fixture } from '../control-plane/helpers/fixtures.ts';
import { readDefinitionText, runStateMachine } from './run-state-machine.ts';

const s3 = mockClient(S3Client);
const appConfigData = mockClient(AppConfigDataClient);

const config = {
  version: '3',
  namespaces: {
    shop: {
      inferenceItemMetadata: { type: 'localdb' },
      recommenders: {
        'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://127.0.0.1:9/r' } } } },
      },
    },
  },
};

const eventFor = (key: string) => {
  const raw = fixture('events/s3-object-created.json');
  raw.detail.object.key = key;
  return objectCreatedEventSchema.parse(raw);
};
const run = async (key: string) =>
  loadItemMetadataResultSchema.parse(
    await runStateMachine('load-item-metadata.asl.json', eventFor(key), { LoadItemMetadata: handler }),
  );

beforeAll(() => {
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    P13N_STAGING_BUCKET: 'p13n-staging',
    P13N_APPCONFIG_APPLICATION: 'p13n',
    P13N_APPCONFIG_ENVIRONMENT: 'prod',
    P13N_APPCONFIG_PROFILE: 'config',
  });
});

beforeEach(() => {
  s3.reset();
  appConfigData.reset();
  appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
  appConfigData
    .on(GetLatestConfigurationCommand)
    .resolves({ Configuration: new TextEncoder().encode(JSON.stringify(config)) as any });
  s3.on(GetObjectCommand).callsFake(() => ({
    Body: Readable.from(['{"id":"1","title":"One"}\n{"id":"2","title":"Two"}\n']),
  }));
  s3.on(PutObjectCommand).resolves({});
});

describe('load-item-metadata state machine', () => {
  it('has one placeholder, the function ARN CDK substitutes', () => {
    const text = readDefinitionText('load-item-metadata.asl.json');
    expect([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1])).toEqual(['LoadItemMetadataFunctionArn']);
  });

  it('imports an uploaded file with the deployed configuration and uploads the localdb store', async () => {
    await expect(run('import/shop/items.jsonl')).resolves.toEqual({
      status: 'imported',
      namespace: 'shop',
      key: 'import/shop/items.jsonl',
      stores: [{ type: 'localdb', location: 's3://p13n-staging/localdbs/shop/items.mdb.gz', imported: 2, skipped: 0 }],
    });
    expect(appConfigData.commandCalls(StartConfigurationSessionCommand)[0]!.args[0].input).toMatchObject({
      ApplicationIdentifier: 'p13n',
      EnvironmentIdentifier: 'prod',
      ConfigurationProfileIdentifier: 'config',
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'p13n-staging',
      Key: 'localdbs/shop/items.mdb.gz',
    });
  });

  it('ignores objects outside import/ without reading them', async () => {
    await expect(run('openapi/openapi.json')).resolves.toMatchObject({
      status: 'ignored',
      key: 'openapi/openapi.json',
    });
    expect(s3.calls()).toHaveLength(0);
    expect(appConfigData.calls()).toHaveLength(0);
  });

  it('fails the execution with the error name when the namespace is not configured', async () => {
    const failure = await run('import/unknown/items.jsonl').catch((e: Error) => e);
    expect(failure).toMatchObject({ name: 'ExecutionError', cause: { name: 'ValidationFailed' } });
    expect((failure as Error).message).toContain("namespace 'unknown' is not in the deployed configuration");
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
