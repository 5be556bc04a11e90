import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, validateConfigText } from '../../schema/validate-config.ts';

const root = new URL('../../', import.meta.url).pathname;

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('compatibility: every sample and every configuration example of the old docs validates', async () => {
  // samples/connectors holds connector jobs (their own schema, connectors/job-config.ts), not API configurations.
  const samples = (await jsonFiles('samples')).filter((f) => !f.startsWith(join(root, 'samples/connectors/')));
  const files = [...samples, ...(await jsonFiles('test/fixtures/reference-docs'))];

  it('finds the three old samples, one sample per variation type and the 17 doc examples', () => {
    const names = files.map((f) => f.slice(root.length));
    expect(names).toEqual(
      expect.arrayContaining([
        'samples/config_simple.json',
        'samples/config_experiment.json',
        'samples/config_auto_context.json',
        'samples/variations/builtin.json',
        'samples/variations/function.json',
        'samples/variations/http.json',
        'samples/variations/personalize-recommender.json',
        'samples/variations/sagemaker.json',
      ]),
    );
    expect(names.filter((n) => n.startsWith('test/fixtures/reference-docs/'))).toHaveLength(17);
  });

  it.each(files.map((f) => [f.slice(root.length), f]))('%s', async (_name, file) => {
    const result = validateConfig(JSON.parse(await readFile(file, 'utf8')));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

/** A minimal valid configuration that each invalid case breaks in one place. */
function base(): Record<string, any> {
  return {
    version: '7',
    namespaces: {
      shop: {
        inferenceItemMetadata: { type: 'localdb' },
        recommenders: {
          'recommend-items': {
            rfy: {
              variations: {
                a: {
                  type: 'personalize-campaign',
                  arn: 'arn:aws:personalize:us-east-1:123456789012:campaign/a',
                },
                b: { type: 'lambda', arn: 'arn:aws:lambda:us-east-1:123456789012:function:b' },
              },
            },
          },
        },
        eventTargets: [{ type: 'kinesis-stream', streamName: 'clicks' }],
      },
    },
  };
}

const REC = '$.namespaces.shop.recommenders.recommend-items.rfy';

type Case = [name: string, mutate: (c: Record<string, any>) => void, path: string, message: RegExp];

const rfy = (c: Record<string, any>) => c.namespaces.shop.recommenders['recommend-items'].rfy;

const invalidCases: Case[] = [
  ['namespaces missing', (c) => delete c.namespaces, '$.namespaces', /expected record/],
  ['version of the wrong type', (c) => (c.version = true), '$.version', /Invalid input/],
  ['unknown root key', (c) => (c.namespace = {}), '$', /Unrecognized key: "namespace"/],
  ['namespace key with a slash', (c) => (c.namespaces['a/b'] = {}), '$.namespaces["a/b"]', /namespace keys/],
  [
    'unknown action',
    (c) => (c.namespaces.shop.recommenders['similar-items'] = {}),
    '$.namespaces.shop.recommenders',
    /Unrecognized key: "similar-items"/,
  ],
  [
    'unknown variation type',
    (c) => (rfy(c).variations.a.type = 'xgboost'),
    `${REC}.variations.a.type`,
    /Invalid discriminator value/,
  ],
  [
    'personalize variation without arn',
    (c) => delete rfy(c).variations.a.arn,
    `${REC}.variations.a.arn`,
    /expected string/,
  ],
  [
    'campaign ARN of another service',
    (c) => (rfy(c).variations.a.arn = 'arn:aws:s3:::bucket/x'),
    `${REC}.variations.a.arn`,
    /expected a personalize ARN/,
  ],
  [
    'campaign type with a recommender ARN',
    (c) => (rfy(c).variations.a.arn = 'arn:aws:personalize:us-east-1:123456789012:recommender/x'),
    `${REC}.variations.a.arn`,
    /expected a campaign ARN/,
  ],
  ['not an ARN at all', (c) => (rfy(c).variations.b.arn = 'my-function'), `${REC}.variations.b.arn`, /not an ARN/],
  [
    'sagemaker without endpointName',
    (c) => (rfy(c).variations.a = { type: 'sagemaker' }),
    `${REC}.variations.a.endpointName`,
    /expected string/,
  ],
  [
    'http with a relative url',
    (c) => (rfy(c).variations.a = { type: 'http', url: '/recs' }),
    `${REC}.variations.a.url`,
    /absolute http/,
  ],
  [
    'http with an unknown placeholder',
    (c) => (rfy(c).variations.a = { type: 'http', url: 'http://x/{user}/{userId}?q={query}', method: 'GET' }),
    `${REC}.variations.a.url`,
    /^unknown placeholders \{user\}, \{query\}; known: \{userId\}, /,
  ],
  [
    'http method PUT',
    (c) => (rfy(c).variations.a = { type: 'http', url: 'http://x/', method: 'PUT' }),
    `${REC}.variations.a.method`,
    /Invalid option/,
  ],
  ['timeoutMs zero', (c) => (rfy(c).variations.a.timeoutMs = 0), `${REC}.variations.a.timeoutMs`, /Too small/],
  [
    'fallback to a missing variation',
    (c) => (rfy(c).variations.a.fallback = 'zzz'),
    `${REC}.variations.a.fallback`,
    /does not have/,
  ],
  ['fallback to itself', (c) => (rfy(c).variations.a.fallback = 'a'), `${REC}.variations.a.fallback`, /itself/],
  [
    'fallback loop',
    (c) => {
      rfy(c).variations.a.fallback = 'b';
      rfy(c).variations.b.fallback = 'a';
    },
    `${REC}.variations.a.fallback`,
    /loops/,
  ],
  [
    'hash experiment naming a missing variation',
    (c) => (rfy(c).experiments = { f: { method: 'hash', weights: { a: 50, c: 50 } } }),
    `${REC}.experiments.f.weights.c`,
    /does not have/,
  ],
  [
    'hash weights not summing to 100',
    (c) => (rfy(c).experiments = { f: { method: 'hash', weights: { a: 50, b: 30 } } }),
    `${REC}.experiments.f.weights`,
    /sum to 100, not 80/,
  ],
  [
    'negative weight',
    (c) => (rfy(c).experiments = { f: { method: 'hash', weights: { a: -10, b: 110 } } }),
    `${REC}.experiments.f.weights.a`,
    /Too small/,
  ],
  [
    'unknown experiment method',
    (c) => (rfy(c).experiments = { f: { method: 'optimizely' } }),
    `${REC}.experiments.f.method`,
    /Invalid discriminator/,
  ],
  [
    'evidently experiment without project',
    (c) => (rfy(c).experiments = { f: { method: 'evidently', metrics: {} } }),
    `${REC}.experiments.f.project`,
    /expected string/,
  ],
  [
    'negative maxAge',
    (c) => (c.cacheControl = { userSpecified: { maxAge: -1, directives: 'private' } }),
    '$.cacheControl.userSpecified.maxAge',
    /Too small/,
  ],
  [
    'fractional maxAge',
    (c) => (c.namespaces.shop.cacheControl = { noUserSpecified: { maxAge: 1.5 } }),
    '$.namespaces.shop.cacheControl.noUserSpecified.maxAge',
    /expected int/,
  ],
  [
    'bad operator',
    (c) =>
      (c.autoContext = {
        device: {
          type: 'string',
          rules: [
            {
              type: 'header-value',
              header: 'x',
              valueMappings: [{ operator: 'like', value: 'a', mapTo: 'b' }],
            },
          ],
        },
      }),
    '$.autoContext.device.rules[0].valueMappings[0].operator',
    /Invalid option/,
  ],
  [
    'less-than with a word',
    (c) =>
      (c.autoContext = {
        tod: {
          type: 'string',
          rules: [{ type: 'hour-of-day', valueMappings: [{ operator: 'less-than', value: 'noon', mapTo: 'am' }] }],
        },
      }),
    '$.autoContext.tod.rules[0].valueMappings[0].value',
    /numeric value/,
  ],
  [
    'day-of-week out of range',
    (c) =>
      (c.autoContext = {
        dow: {
          type: 'string',
          rules: [{ type: 'day-of-week', valueMappings: [{ operator: 'equals', value: 7, mapTo: 'x' }] }],
        },
      }),
    '$.autoContext.dow.rules[0].valueMappings[0].value',
    /from 0 to 6/,
  ],
  [
    'upper-case header name',
    (c) =>
      (c.autoContext = {
        city: { type: 'string', rules: [{ type: 'header-value', header: 'CloudFront-Viewer-City' }] },
      }),
    '$.autoContext.city.rules[0].header',
    /lower-case/,
  ],
  [
    'unknown rule type',
    (c) => (c.autoContext = { x: { type: 'string', rules: [{ type: 'weather' }] } }),
    '$.autoContext.x.rules[0].type',
    /Invalid discriminator/,
  ],
  [
    'integer field with a string default',
    (c) => (c.autoContext = { metro: { type: 'integer', default: 'none', rules: [] } }),
    '$.autoContext.metro.default',
    /must be a number/,
  ],
  [
    'filter ARN of the wrong type',
    (c) => (rfy(c).variations.a.filters = [{ arn: 'arn:aws:personalize:us-east-1:123456789012:campaign/x' }]),
    `${REC}.variations.a.filters[0].arn`,
    /expected a filter ARN/,
  ],
  [
    'unknown filter condition',
    (c) => (rfy(c).variations.a.filters = [{ arn: 'arn:aws:personalize:us-east-1:1:filter/x', condition: 'always' }]),
    `${REC}.variations.a.filters[0].condition`,
    /Invalid input/,
  ],
  [
    'PROVISIONED without throughput',
    (c) => (c.namespaces.shop.inferenceItemMetadata = { type: 'dynamodb', billingMode: 'PROVISIONED' }),
    '$.namespaces.shop.inferenceItemMetadata.provisionedThroughput',
    /needs provisionedThroughput/,
  ],
  [
    'unknown metadata type',
    (c) => (c.namespaces.shop.inferenceItemMetadata = { type: 'redis' }),
    '$.namespaces.shop.inferenceItemMetadata.type',
    /Invalid discriminator/,
  ],
  [
    'syncInterval below 5 s',
    (c) => (c.namespaces.shop.inferenceItemMetadata = { type: 'localdb', syncInterval: 1 }),
    '$.namespaces.shop.inferenceItemMetadata.syncInterval',
    /Too small/,
  ],
  [
    'personalize metadata without columns',
    (c) => (c.namespaces.shop.inferenceItemMetadata = { type: 'personalize' }),
    '$.namespaces.shop.inferenceItemMetadata.itemColumns',
    /expected array/,
  ],
  [
    'unknown event target type',
    (c) => (c.namespaces.shop.eventTargets = [{ type: 'sqs', queueUrl: 'x' }]),
    '$.namespaces.shop.eventTargets[0].type',
    /Invalid discriminator/,
  ],
  [
    'kinesis target without streamName',
    (c) => (c.namespaces.shop.eventTargets = [{ type: 'kinesis-firehose' }]),
    '$.namespaces.shop.eventTargets[0].streamName',
    /expected string/,
  ],
  [
    'duplicate event target',
    (c) => c.namespaces.shop.eventTargets.push({ type: 'kinesis-stream', streamName: 'clicks' }),
    '$.namespaces.shop.eventTargets[1]',
    /duplicates eventTargets\[0\]/,
  ],
  [
    'post-processor look-ahead beyond Personalize',
    (c) =>
      (rfy(c).responsePostProcessor = {
        type: 'lambda',
        arn: 'arn:aws:lambda:us-east-1:1:function:pp',
        lookAheadMultiplier: 4,
        lookAheadMaximumValue: 800,
      }),
    `${REC}.responsePostProcessor.lookAheadMaximumValue`,
    /at most 500/,
  ],
  [
    'defaultNumResults above maxNumResults',
    (c) => Object.assign(rfy(c), { defaultNumResults: 50, maxNumResults: 20 }),
    `${REC}.defaultNumResults`,
    /must not exceed/,
  ],
  ['numResults cap above 500', (c) => (rfy(c).maxNumResults = 1000), `${REC}.maxNumResults`, /Too big/],
  [
    'unknown key on a variation',
    (c) => (rfy(c).variations.a.arnn = 'x'),
    `${REC}.variations.a`,
    /Unrecognized key: "arnn"/,
  ],
];

describe('invalid configurations are rejected with the path of the offending value', () => {
  it('has at least 25 distinct cases', () => {
    expect(new Set(invalidCases.map((c) => c[0])).size).toBeGreaterThanOrEqual(25);
  });

  it.each(invalidCases)('%s', (_name, mutate, path, message) => {
    const config = base();
    mutate(config);
    const result = validateConfig(config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('accepts the unmodified base configuration', () => {
    expect(validateConfig(base()).ok).toBe(true);
  });
});

describe('validateConfigText', () => {
  it('reports a JSON syntax error at the root', () => {
    const result = validateConfigText('{"namespaces": ');
    expect(result).toMatchObject({
      ok: false,
      errors: [{ path: '$', message: expect.stringMatching(/^not valid JSON/) }],
    });
  });
});

describe('warnings do not fail validation', () => {
  it('warns about a recommender without variations and an experiment with one variation', () => {
    const config = base();
    rfy(config).variations = { a: rfy(config).variations.a };
    rfy(config).experiments = { f: { method: 'hash', weights: { a: 100 } } };
    config.namespaces.shop.recommenders['related-items'] = { empty: {} };
    const result = validateConfig(config);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual([
      `${REC}.experiments`,
      '$.namespaces.shop.recommenders.related-items.empty.variations',
      ...result.warnings.filter((w) => w.path.endsWith('.recordFormat')).map((w) => w.path),
    ]);
  });

  it('says which record format a Kinesis or Firehose target uses when recordFormat is not set', () => {
    const config = base();
    config.namespaces.shop.eventTargets = [
      { type: 'kinesis-stream', streamName: 'a' },
      { type: 'kinesis-firehose', streamName: 'b', recordFormat: 'request' },
    ];
    const result = validateConfig(config);
    expect(result.ok).toBe(true);
    expect(result.warnings.filter((w) => w.path.includes('eventTargets'))).toEqual([
      {
        path: '$.namespaces.shop.eventTargets[0].recordFormat',
        message:
          "not set: sends 'records' (one JSON line per event, conversion and exposure); set 'request' for the old service's one document per request",
      },
    ]);
  });
});
