import { describe, expect, it } from 'vitest';
import { filterArnFromName, parseArn } from '../../schema/arn.ts';
import { findRecommender } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';

const config = {
  version: 3,
  cacheControl: {
    userSpecified: { maxAge: 10, directives: 'private' },
    noUserSpecified: { maxAge: 600, directives: 'public' },
  },
  autoContext: {
    device: { type: 'string', rules: [{ type: 'header-value', header: 'cloudfront-is-mobile-viewer' }] },
    season: { type: 'string', rules: [{ type: 'season-of-year' }] },
  },
  namespaces: {
    shop: {
      cacheControl: { noUserSpecified: { maxAge: 60, directives: 'public' } },
      autoContext: {
        device: {
          type: 'string',
          rules: [
            {
              type: 'header-value',
              header: 'x-device',
              valueMappings: [{ operator: 'start-with', value: 'i', mapTo: 'Apple' }],
            },
          ],
        },
      },
      inferenceItemMetadata: { type: 'localdb', sourceFile: 'items.jsonl' },
      recommenders: {
        'recommend-items': {
          rfy: {
            cacheControl: { userSpecified: { maxAge: 5 } },
            filters: [{ arn: 'arn:aws:personalize:eu-west-1:123456789012:filter/in-stock' }],
            variations: {
              first: { type: 'lambda', arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' },
              second: {
                type: 'builtin',
                interactionsFile: 'data/interactions.csv',
                filters: [],
                inferenceItemMetadata: { type: 'dynamodb' },
                autoContext: { hour: { type: 'integer', rules: [{ type: 'hour-of-day' }] } },
              },
            },
          },
        },
      },
      eventTargets: [{ type: 'file', path: 'events.jsonl' }, { type: 'builtin' }],
    },
  },
};

describe('resolveConfig', () => {
  const result = validateConfig(config, { baseDir: '/srv/p13n' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const { resolved } = result;
  const { namespace, recommender } = findRecommender(resolved, 'recommend-items', 'shop', 'rfy');
  const first = recommender?.variations.get('first');
  const second = recommender?.variations.get('second');

  it('stringifies the version and keeps variations in configuration order', () => {
    expect(resolved.version).toBe('3');
    expect([...(recommender?.variations.keys() ?? [])]).toEqual(['first', 'second']);
  });

  it('merges cache control per request kind, nearest definition winning', () => {
    expect(first?.cacheControl).toEqual({
      autoProvision: true,
      userSpecified: { maxAge: 5 },
      syntheticUserSpecified: { maxAge: 0, directives: 'private' },
      noUserSpecified: { maxAge: 60, directives: 'public' },
    });
  });

  it('merges auto context per field and normalises old spellings', () => {
    expect(first?.autoContext.device?.rules).toEqual([
      {
        type: 'header-value',
        header: 'x-device',
        valueMappings: [{ operator: 'starts-with', value: 'i', mapTo: 'Apple' }],
      },
    ]);
    expect(first?.autoContext.season?.rules).toEqual([
      { type: 'season', valueMappings: undefined, seasonBoundaries: 'solstice' },
    ]);
    expect(Object.keys(second?.autoContext ?? {})).toEqual(['device', 'season', 'hour']);
  });

  it("normalises 'lambda' to 'function'", () => {
    expect(first?.type).toBe('function');
  });

  it('inherits filters and metadata unless the variation defines its own', () => {
    expect(first?.filters.map((f) => f.arn)).toEqual(['arn:aws:personalize:eu-west-1:123456789012:filter/in-stock']);
    expect(second?.filters).toEqual([]);
    expect(first?.inferenceItemMetadata).toEqual({ type: 'localdb', sourceFile: '/srv/p13n/items.jsonl' });
    expect(second?.inferenceItemMetadata).toEqual({ type: 'dynamodb' });
  });

  it('resolves relative file paths against the configuration folder', () => {
    expect(second?.type === 'builtin' && second.interactionsFile).toBe('/srv/p13n/data/interactions.csv');
    expect(namespace?.eventTargets[0]).toEqual({ type: 'file', path: '/srv/p13n/events.jsonl' });
  });

  it('collects the headers the rules read, adding time-zone and latitude for time and season rules', () => {
    expect(first?.contextHeaders).toEqual(['cloudfront-viewer-latitude', 'cloudfront-viewer-time-zone', 'x-device']);
    expect(resolved.contextHeaders).toEqual(['cloudfront-viewer-latitude', 'cloudfront-viewer-time-zone', 'x-device']);
  });

  it('finds nothing for unknown or prototype-like keys', () => {
    expect(findRecommender(resolved, 'recommend-items', '__proto__', 'rfy')).toEqual({});
    expect(findRecommender(resolved, 'related-items', 'shop', 'rfy').recommender).toBeUndefined();
  });
});

describe('ARNs', () => {
  it('parses Lambda and Personalize ARNs', () => {
    expect(parseArn('arn:aws:lambda:us-east-1:123456789012:function:f:live')).toMatchObject({
      service: 'lambda',
      resourceType: 'function',
      resourceName: 'f:live',
    });
    expect(parseArn('arn:aws:personalize:[REGION]:[ACCOUNT]:campaign/[NAME]')?.resourceType).toBe('campaign');
    expect(parseArn('campaign/x')).toBeUndefined();
  });

  it('turns a bare filter name into an ARN in the region and account of the variation', () => {
    expect(filterArnFromName('in-stock', 'arn:aws-cn:personalize:cn-north-1:111122223333:campaign/c')).toBe(
      'arn:aws-cn:personalize:cn-north-1:111122223333:filter/in-stock',
    );
    const arn = 'arn:aws:personalize:us-east-1:1:filter/x';
    expect(filterArnFromName(arn, undefined)).toBe(arn);
    expect(filterArnFromName('x', undefined)).toBeUndefined();
  });
});
