import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../../data-plane/events/records.ts';
import { builtinTarget } from '../../../../data-plane/events/targets/builtin.ts';
import type { LearnEvent } from '../../../../data-plane/origins/builtin/model.ts';
import { sampleBatch, testClients } from '../fixtures.ts';

describe('builtin target', () => {
  it('teaches the embedded recommender the events naming a user and an item, timestamps in seconds', async () => {
    const learned: Array<{ namespace: string; events: readonly LearnEvent[] }> = [];
    const target = builtinTarget(
      { type: 'builtin' },
      testClients((namespace, events) => {
        learned.push({ namespace, events });
      }),
    );
    const batch = sampleBatch();
    const anonymous: EventRecord = { ...(batch.records[0] as EventRecord), userId: undefined, eventId: 'e-2' };
    await target.send({ ...batch, records: [...batch.records, anonymous] });
    expect(learned).toEqual([
      {
        namespace: 'shop',
        events: [
          { userId: 'u-1', itemId: 'i-9', eventType: 'click', timestamp: Date.parse('2026-11-02T10:00:00Z') / 1000 },
        ],
      },
    ]);
  });

  it('fails, to be reported, when the deployment has no embedded recommender', async () => {
    const target = builtinTarget({ type: 'builtin' }, testClients());
    await expect(target.send(sampleBatch())).rejects.toThrow(/no embedded recommender/);
  });
});
