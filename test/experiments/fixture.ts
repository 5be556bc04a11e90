/**
 * A seeded experiment fixture: a configuration with one hash experiment (two metrics, one from ordinary
 * Purchase events, one posted), and the JSON-lines records a run of it writes — exposures with
 * recommendation IDs and item lists, purchases attributed by recommendationId or by item, purchases
 * outside the window or on items never recommended, posted conversions (some before any exposure) and a
 * few malformed lines. The same text feeds the file report, DuckDB and the dashboard.
 */

import { mulberry32 } from '../../samples/local/generate.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';

/** The seeded generator the sample data uses. */
export const seededRandom = mulberry32;

const iso = (t: number) => new Date(t).toISOString();
const EXPERIMENT = {
  namespace: 'shop',
  action: 'recommend-items',
  recommender: 'for-you',
  feature: 'home-ab',
  method: 'hash',
} as const;

/** An exposure record of the fixture's `home-ab` experiment at epoch ms `at`. */
export function exposureRecord(
  userId: string,
  variation: string,
  at: number,
  recommendationId: string,
  itemIds: string[],
) {
  return { kind: 'exposure', ...EXPERIMENT, variation, userId, recommendationId, itemIds, timestamp: iso(at) };
}

/** An event record of namespace `shop` at epoch ms `at`. */
export function eventRecord(eventType: string, at: number, fields: Record<string, unknown> = {}) {
  return { kind: 'event', namespace: 'shop', sessionId: 's', eventType, sentAt: iso(at), ...fields };
}

/** A posted `signup` conversion of `home-ab` at epoch ms `at`. */
export function signupRecord(userId: string, at: number) {
  return { kind: 'conversion', ...EXPERIMENT, metric: 'signup', value: 1, userId, timestamp: iso(at) };
}

export const fixtureConfigJson = {
  version: '7',
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          'for-you': {
            experiments: {
              'home-ab': {
                method: 'hash',
                weights: { control: 50, treatment: 50 },
                minimumSample: 100,
                metrics: {
                  purchase: { eventType: 'Purchase', windowHours: 24, value: 'eventValue' },
                  signup: {},
                },
              },
              'empty-ab': { method: 'hash', weights: { control: 50, treatment: 50 } },
            },
            variations: {
              control: { type: 'http', url: 'http://127.0.0.1:9/recs' },
              treatment: { type: 'http', url: 'http://127.0.0.1:9/recs' },
            },
          },
        },
      },
      eventTargets: [{ type: 'file', path: 'events.jsonl' }],
    },
  },
};

export function fixtureConfig(baseDir = '/tmp'): ResolvedConfig {
  const result = validateConfig(fixtureConfigJson, { baseDir });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.resolved;
}

const HOUR = 3_600_000;

/**
 * @example
 * const text = fixtureRecords({ users: 400, seed: 1, rates: [0.2, 0.3] });
 */
export function fixtureRecords(options: {
  users: number;
  seed: number;
  rates: [number, number];
  /** Share of users assigned to control (0.5 matches the weights; more makes a sample-ratio mismatch). */
  controlShare?: number;
  start?: number;
}): string {
  const random = seededRandom(options.seed);
  const start = options.start ?? Date.UTC(2026, 10, 2);
  const lines: string[] = [];
  const push = (o: object) => lines.push(JSON.stringify(o));
  let rid = 0;
  for (let u = 0; u < options.users; u++) {
    const userId = `u${u}`;
    const v = random() < (options.controlShare ?? 0.5) ? 0 : 1;
    const variation = v === 0 ? 'control' : 'treatment';
    let t = start + Math.floor(random() * 72 * HOUR);
    const exposures = 1 + Math.floor(random() * 3);
    let last = { id: '', items: [] as string[], at: t };
    for (let e = 0; e < exposures; e++) {
      last = { id: `rid-${rid++}`, items: [0, 1, 2].map(() => `i${Math.floor(random() * 50)}`), at: t };
      push(exposureRecord(userId, variation, t, last.id, last.items));
      t += Math.floor(random() * 5 * HOUR);
    }
    if (random() < options.rates[v]) {
      const byId = random() < 0.5;
      push(
        eventRecord('Purchase', last.at + Math.floor(random() * 20 * HOUR), {
          ...(byId ? { recommendationId: last.id } : { userId, itemId: last.items[1] }),
          eventValue: Math.round(random() * 10_000) / 100,
        }),
      );
    }
    const roll = random();
    if (roll < 0.05) {
      // Outside the window, and on an item never recommended: both unattributed.
      push(eventRecord('Purchase', last.at + 30 * HOUR, { userId, itemId: last.items[0], eventValue: 5 }));
      push(eventRecord('Purchase', last.at + HOUR, { userId, itemId: 'never-shown' }));
    }
    if (roll > 0.9) push(signupRecord(userId, t + HOUR));
    // Posted before the user's first exposure: unattributed.
    if (roll > 0.98) push(signupRecord(userId, start - HOUR));
    // Ordinary clicks, which no metric counts.
    push(eventRecord('click', t, { userId, itemId: 'i1' }));
  }
  // A user never exposed posts a conversion, and three malformed lines.
  push(signupRecord('stranger', start));
  lines.splice(3, 0, '{"kind":"exposure","namespace":"shop"');
  lines.splice(10, 0, '{"kind":"telemetry"}');
  lines.splice(20, 0, JSON.stringify({ ...eventRecord('Purchase', start), sentAt: 'yesterday' }));
  return `${lines.join('\n')}\n`;
}
