import { describe, expect, it } from 'vitest';
import { headerLookup } from '../../../data-plane/pipeline/auto-context.ts';
import { chooseFilter, formatFilterValue } from '../../../data-plane/pipeline/filters.ts';
import { resolveConfig } from '../../../schema/resolve-config.ts';

const CAMPAIGN = 'arn:aws:personalize:eu-west-1:111122223333:campaign/recs';
const input = (headers: Record<string, string> = {}) => ({
  headers: headerLookup(headers),
  now: 0,
  defaultTimeZone: 'UTC',
});

function variationWith(filters: unknown[], extra: Record<string, unknown> = {}) {
  const resolved = resolveConfig({
    namespaces: {
      n: {
        recommenders: {
          'recommend-items': {
            r: { variations: { v: { type: 'personalize-campaign', arn: CAMPAIGN, filters, ...extra } } },
          },
        },
      },
    },
  } as never);
  return resolved.namespaces.get('n')!.recommenders['recommend-items'].get('r')!.variations.get('v')!;
}

const metro = { METRO: { type: 'string', rules: [{ type: 'header-value', header: 'cloudfront-viewer-metro-code' }] } };

describe('chooseFilter', () => {
  const variation = variationWith([
    {
      arn: 'arn:aws:personalize:eu-west-1:111122223333:filter/for-users',
      condition: 'user-required',
      autoDynamicFilterValues: metro,
    },
    {
      arn: 'arn:aws:personalize:eu-west-1:111122223333:filter/anyone',
      autoDynamicFilterValues: { BRAND: { type: 'string', default: 'acme', rules: [] } },
    },
  ]);

  it('takes the first filter whose condition holds, with that entry’s auto dynamic values', () => {
    expect(chooseFilter(variation, { hasUser: true }, input({ 'cloudfront-viewer-metro-code': '819' }))).toEqual({
      filterArn: 'arn:aws:personalize:eu-west-1:111122223333:filter/for-users',
      filterValues: { METRO: '"819"' },
    });
    expect(chooseFilter(variation, { hasUser: false }, input({ 'cloudfront-viewer-metro-code': '819' }))).toEqual({
      filterArn: 'arn:aws:personalize:eu-west-1:111122223333:filter/anyone',
      filterValues: { BRAND: '"acme"' },
    });
  });

  it('turns a bare filter name into an ARN in the variation ARN’s region and account', () => {
    expect(chooseFilter(variation, { filter: 'in-stock', hasUser: true }, input())).toEqual({
      filterArn: 'arn:aws:personalize:eu-west-1:111122223333:filter/in-stock',
    });
  });

  it('uses the auto values of the configured entry the filter parameter names, blended with filterValues', () => {
    const choice = chooseFilter(
      variation,
      { filter: 'anyone', filterValues: { COLOR: '"red"' }, hasUser: true },
      input(),
    );
    expect(choice).toEqual({
      filterArn: 'arn:aws:personalize:eu-west-1:111122223333:filter/anyone',
      filterValues: { BRAND: '"acme"', COLOR: '"red"' },
    });
  });

  it('lets filterValues win over auto values', () => {
    const choice = chooseFilter(
      variation,
      { filterValues: { METRO: '"500"' }, hasUser: true },
      input({ 'cloudfront-viewer-metro-code': '819' }),
    );
    expect(choice.filterValues).toEqual({ METRO: '"500"' });
  });

  it('has no filter values without a filter', () => {
    expect(chooseFilter(variationWith([]), { filterValues: { A: '"b"' }, hasUser: true }, input())).toEqual({});
  });

  it('rejects a bare filter name when the variation has no ARN', () => {
    const resolved = resolveConfig({
      namespaces: {
        n: { recommenders: { 'recommend-items': { r: { variations: { h: { type: 'http', url: 'http://x' } } } } } },
      },
    } as never);
    const http = resolved.namespaces.get('n')!.recommenders['recommend-items'].get('r')!.variations.get('h')!;
    expect(() => chooseFilter(http, { filter: 'in-stock', hasUser: true }, input())).toThrow(/^filter: /);
    expect(
      chooseFilter(http, { filter: 'arn:aws:personalize:us-east-1:1:filter/x', hasUser: true }, input()).filterArn,
    ).toBe('arn:aws:personalize:us-east-1:1:filter/x');
  });
});

describe('formatFilterValue', () => {
  it('quotes strings, leaves numbers bare and comma-joins several values', () => {
    expect(formatFilterValue(['a', 'b "c"'])).toBe('"a","b \\"c\\""');
    expect(formatFilterValue([3, 'x'])).toBe('3,"x"');
  });
});
