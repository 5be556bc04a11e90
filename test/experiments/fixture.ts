/**
 * A seeded experiment fixture: a configuration with one hash experiment (two metrics, one from ordinary
 * Purchase events, one posted), and the JSON-lines records a run of it writes — exposures with
 * recommendation IDs and item lists, purchases attributed by recommendationId or by item, purchases
 * outside the window or on items never recommended, posted conversions (some before any exposure) and a
 * few malformed lines. The same text feeds the file report, DuckDB and the dashboard.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  const iso = (t: number) => new Date(t).toISOString();
  let rid = 0;
  for (let u = 0; u < options.users; u++) {
    const userId = `u${u}`;
    const v = random() < (options.controlShare ?? 0.5) ? 0 : 1;
    const variation = v === 0 ? 'control' : 'treatment';
    let t = start + Math.floor(random() * 72 * HOUR);
    const exposures = 1 + Math.floor(random() * 3);
    let last: { id: string; items: string[]; at: number } | undefined;
    for (let e = 0; e < exposures; e++) {
      const id = `rid-${rid++}`;
      const items = [0, 1, 2].map(() => `i${Math.floor(random() * 50)}`);
      push({
        kind: 'exposure',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'for-you',
        feature: 'home-ab',
        variation,
        method: 'hash',
        userId,
        recommendationId: id,
        itemIds: items,
        timestamp: iso(t),
      });
      last = { id, items, at: t };
      t += Math.floor(random() * 5 * HOUR);
    }
    if (last && random() < options.rates[v]) {
      const byId = random() < 0.5;
      push({
        kind: 'event',
        namespace: 'shop',
        sessionId: `s-${userId}`,
        ...(byId ? {} : { userId }),
        eventType: 'Purchase',
        ...(byId ? { recommendationId: last.id } : { itemId: last.items[1] }),
        eventValue: Math.round(random() * 10_000) / 100,
        sentAt: iso(last.at + Math.floor(random() * 20 * HOUR)),
      });
    }
    const roll = random();
    if (roll < 0.05) {
      // Outside the window, and on an item never recommended: both unattributed.
      push({
        kind: 'event',
        namespace: 'shop',
        sessionId: 's',
        userId,
        eventType: 'Purchase',
        itemId: last!.items[0],
        eventValue: 5,
        sentAt: iso(last!.at + 30 * HOUR),
      });
      push({
        kind: 'event',
        namespace: 'shop',
        sessionId: 's',
        userId,
        eventType: 'Purchase',
        itemId: 'never-shown',
        sentAt: iso(last!.at + HOUR),
      });
    }
    if (roll > 0.9) {
      push({
        kind: 'conversion',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'for-you',
        feature: 'home-ab',
        variation,
        method: 'hash',
        metric: 'signup',
        value: 1,
        userId,
        timestamp: iso(t + HOUR),
      });
    }
    if (roll > 0.98) {
      // Posted before the user's first exposure: unattributed.
      push({
        kind: 'conversion',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'for-you',
        feature: 'home-ab',
        variation,
        method: 'hash',
        metric: 'signup',
        value: 1,
        userId,
        timestamp: iso(start - HOUR),
      });
    }
    // Ordinary clicks, which no metric counts.
    push({
      kind: 'event',
      namespace: 'shop',
      sessionId: 's',
      userId,
      eventType: 'click',
      itemId: 'i1',
      sentAt: iso(t),
    });
  }
  // A user never exposed posts a conversion, and three malformed lines.
  push({
    kind: 'conversion',
    namespace: 'shop',
    action: 'recommend-items',
    recommender: 'for-you',
    feature: 'home-ab',
    method: 'hash',
    metric: 'signup',
    value: 1,
    userId: 'stranger',
    timestamp: iso(start),
  });
  lines.splice(3, 0, '{"kind":"exposure","namespace":"shop"');
  lines.splice(10, 0, '{"kind":"telemetry"}');
  lines.splice(
    20,
    0,
    JSON.stringify({ kind: 'event', namespace: 'shop', sessionId: 's', eventType: 'Purchase', sentAt: 'yesterday' }),
  );
  return `${lines.join('\n')}\n`;
}
