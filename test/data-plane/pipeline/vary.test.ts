/**
 * Issue 13 item 15: an answer that depends on request headers read by context or filter rules says so
 * in `Vary`, so a shared cache between the client and us cannot serve one viewer's answer to another;
 * one that depends on none carries no `Vary` of ours.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../data-plane/wiring.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { fakeOrigin, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';

const config = {
  version: '1',
  cacheControl: { noUserSpecified: { maxAge: 60, directives: 'public' } },
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          device: {
            autoContext: {
              DEVICE: {
                type: 'string',
                rules: [
                  {
                    type: 'header-value',
                    header: 'cloudfront-is-mobile-viewer',
                    valueMappings: [{ operator: 'equals', value: 'true', mapTo: 'Phone' }],
                  },
                  { type: 'header-value', header: 'cloudfront-viewer-country' },
                ],
              },
            },
            variations: { a: { type: 'http', url: 'http://o.test/' } },
          },
          plain: { variations: { a: { type: 'http', url: 'http://o.test/' } } },
        },
        'related-items': {
          device: {
            autoContext: {
              DEVICE: { type: 'string', rules: [{ type: 'header-value', header: 'cloudfront-is-tablet-viewer' }] },
            },
            variations: { a: { type: 'http', url: 'http://o.test/' } },
          },
        },
      },
    },
  },
};

const app = (responseCache = true) =>
  buildApp({
    config: swappableConfig(config),
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger: silentLogger,
    ...(responseCache ? {} : { responseCache: false as const }),
  });

describe('Vary', () => {
  it.each([true, false])(
    'names the headers context rules read, also on a public answer (response cache %s)',
    async (cache) => {
      const a = app(cache);
      for (let i = 0; i < 2; i++) {
        const res = await a.request('/related-items/shop/device/item-1');
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toContain('public');
        expect(res.headers.get('vary')).toBe('cloudfront-is-tablet-viewer');
      }
      const user = await a.request('/recommend-items/shop/device/u1');
      expect(user.headers.get('vary')).toBe('cloudfront-is-mobile-viewer, cloudfront-viewer-country');
    },
  );

  it('is absent when no rule reads a header', async () => {
    const res = await app().request('/recommend-items/shop/plain/u1');
    expect(res.headers.get('vary')).toBeNull();
  });
});
