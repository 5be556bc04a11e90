/**
 * A resolved configuration for the experiments and events tests: a recommender with a hash
 * experiment, one with an Evidently experiment, one with two experiments, one with a single variation
 * and one without experiments.
 */
import type { Config } from '../../../schema/config-schema.ts';
import { type ResolvedConfig, resolveConfig } from '../../../schema/resolve-config.ts';

const http = (n: string) => ({ type: 'http' as const, url: `http://127.0.0.1:1/${n}` });

export const experimentsConfig: Config = {
  version: 'exp-1',
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          rfy: {
            experiments: {
              home: { method: 'hash', weights: { a: 50, b: 30, c: 20 }, metrics: { clicks: {}, purchases: {} } },
            },
            variations: { a: http('a'), b: http('b'), c: http('c') },
          },
          open: {
            experiments: { anything: { method: 'hash', weights: { a: 50, b: 50 } } },
            variations: { a: http('a'), b: http('b') },
          },
          two: {
            experiments: {
              first: { method: 'hash', weights: { a: 100 } },
              second: { method: 'hash', weights: { b: 100 }, metrics: { clicks: {} } },
            },
            variations: { a: http('a'), b: http('b') },
          },
          single: {
            experiments: { solo: { method: 'hash', weights: { a: 100 } } },
            variations: { a: http('a') },
          },
          plain: { variations: { a: http('a'), b: http('b') } },
        },
        'related-items': {
          similar: {
            experiments: {
              'product-detail-view': {
                method: 'evidently',
                project: 'my-store',
                metrics: {
                  productDetailRecClicked: {
                    trackExposures: true,
                    entityIdKey: 'userDetails.userId',
                    valueKey: 'details.productClicked',
                  },
                },
              },
            },
            variations: { sims: http('sims'), 'similar-items': http('similar-items') },
          },
        },
      },
    },
  },
};

export function experimentsResolved(): ResolvedConfig {
  return resolveConfig(experimentsConfig);
}
