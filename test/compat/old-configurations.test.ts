/**
 * The migration guide's promise (docs/migration.md): every configuration of the old service — its
 * three samples and every configuration example of its documentation — passes `p13n validate` and
 * serves a request, with the old service's behaviour where the guide says it is kept. Personalize
 * Runtime is a local server speaking its protocol to the real SDK client; Evidently (no emulator, and
 * its client prefixes the endpoint's host with `dataplane.`) is the real client under aws-sdk-client-mock.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluateFeatureCommand, EvidentlyClient, PutProjectEventsCommand } from '@aws-sdk/client-evidently';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../schema/validate-config.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { appFor, json } from '../data-plane/helpers.ts';
import { type FakePersonalizeRuntime, startFakePersonalizeRuntime } from '../helpers/fake-personalize-runtime.ts';
import { runCli } from '../helpers/run-cli.ts';

const SAMPLES = ['config_simple.json', 'config_auto_context.json', 'config_experiment.json'].map((f) =>
  join('samples', f),
);
const DOC_EXAMPLES = readdirSync('test/fixtures/reference-docs')
  .filter((f) => f.endsWith('.json'))
  .map((f) => join('test/fixtures/reference-docs', f));

describe('p13n validate accepts every old configuration', () => {
  it.each([...SAMPLES, ...DOC_EXAMPLES])('%s', async (file) => {
    const { status, stdout } = await runCli(['validate', file]);
    expect(stdout).toMatch(/: valid \(/);
    expect(status).toBe(0);
  });
});

describe('one request per old sample, as the old service answered it', () => {
  let personalize: FakePersonalizeRuntime;
  const evidently = new EvidentlyClient({ region: 'us-east-1' });
  const evidentlyMock = mockClient(evidently);

  beforeAll(async () => {
    personalize = await startFakePersonalizeRuntime();
    evidentlyMock.on(EvaluateFeatureCommand).resolves({
      variation: 'similar-items',
      value: { stringValue: 'similar-items' },
      reason: 'EXPERIMENT_RULE_MATCH',
      details: '{"experiment":"pdp-experiment","treatment":"similar-items"}',
    });
    evidentlyMock.on(PutProjectEventsCommand).resolves({ failedEventCount: 0, eventResults: [] });
  });
  afterAll(() => personalize.close());

  async function appForSample(file: string) {
    const loaded = await loadConfigFile(file);
    if (!loaded.ok) throw new Error(`${file} does not validate`);
    const clients = createAwsClients({
      region: 'us-east-1',
      maxAttempts: 1,
      endpoints: { personalizeRuntime: personalize.endpoint },
    });
    return appFor(loaded.config, { clients: { ...clients, evidently: async () => evidently } });
  }

  it('config_simple: recommend-items from the Personalize campaign, cached privately for a user', async () => {
    const app = await appForSample(SAMPLES[0]!);
    const res = await app.request('/recommend-items/my-store/recommended-for-you/user-1?numResults=3');
    expect(res.status).toBe(200);
    expect(personalize.calls.at(-1)).toMatchObject({
      path: '/recommendations',
      body: { userId: 'user-1', numResults: 3 },
    });
    expect(res.headers.get('cache-control')).toBe('max-age=10, private');
    expect((await json(res)).itemList).toHaveLength(3);
  });

  it('config_auto_context: context derived from CloudFront headers reaches Personalize, one value per field', async () => {
    const app = await appForSample(SAMPLES[1]!);
    const res = await app.request('/recommend-items/my-store/product-recommender/user-1', {
      headers: { 'cloudfront-is-mobile-viewer': 'true', 'cloudfront-is-tablet-viewer': 'true' },
    });
    expect(res.status).toBe(200);
    // deviceType evaluates every rule (evaluateAll): two match, and the recommender gets the first.
    expect(personalize.calls.at(-1)!.body.context).toMatchObject({ deviceType: 'Phone' });
  });

  it('config_experiment: Evidently picks the variation, and matchedExperiment has the old fields', async () => {
    const app = await appForSample(SAMPLES[2]!);
    const res = await app.request('/related-items/my-store/similar/item-1?userId=user-1');
    expect(res.status).toBe(200);
    expect(evidentlyMock.commandCalls(EvaluateFeatureCommand).map((c) => c.args[0].input)).toEqual([
      { project: 'my-store', feature: 'product-detail-view', entityId: 'user-1' },
    ]);
    expect((await json(res)).matchedExperiment).toEqual({
      feature: 'product-detail-view',
      method: 'evidently',
      variation: 'similar-items',
      type: 'evidently',
      details: { experiment: 'pdp-experiment', treatment: 'similar-items' },
    });
  });
});
