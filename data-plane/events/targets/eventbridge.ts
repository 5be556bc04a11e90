/**
 * `eventbridge`: one EventBridge event per record on the configured bus, in PutEvents calls of at most
 * ten entries. The detail-type says the record's kind so rules can route exposures and conversions
 * apart from interactions; the detail is the record itself. Entries EventBridge rejects are reported
 * as a PartialDeliveryError holding just those records, so a retry does not duplicate the others.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { isRetryableAwsError } from '../../../shared/aws-errors.ts';
import type { EventsRecord } from '../records.ts';
import { isRetryable, PartialDeliveryError } from '../retryable.ts';
import { type EventTarget, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'eventbridge' }>;

export const DEFAULT_EVENT_SOURCE = 'personalization.apis';
const MAX_ENTRIES_PER_CALL = 10;

export const DETAIL_TYPES: Record<EventsRecord['kind'], string> = {
  event: 'Personalization Event',
  exposure: 'Personalization Experiment Exposure',
  conversion: 'Personalization Experiment Conversion',
  user: 'Personalization User',
};

const errorName = (err: unknown) => (err instanceof Error ? err.name : 'Error');

/**
 * @example
 * const target = eventBridgeTarget({ type: 'eventbridge', eventBusName: 'shop' }, clients);
 * await target.send(batch);
 */
export function eventBridgeTarget(config: Config, clients: TargetClients): EventTarget {
  const busName = config.eventBusName ?? 'default';
  const source = config.source ?? DEFAULT_EVENT_SOURCE;
  const entry = (record: EventsRecord): PutEventsRequestEntry => ({
    EventBusName: busName,
    Source: source,
    DetailType: DETAIL_TYPES[record.kind],
    Detail: JSON.stringify(record),
    Time: new Date(record.kind === 'event' ? record.sentAt : record.timestamp),
  });
  return {
    name: targetName(config),
    async send(batch, abortSignal) {
      const chunks: EventsRecord[][] = [];
      for (let i = 0; i < batch.records.length; i += MAX_ENTRIES_PER_CALL) {
        chunks.push(batch.records.slice(i, i + MAX_ENTRIES_PER_CALL));
      }
      const results = await Promise.allSettled(
        chunks.map(async (chunk) => {
          const response = await clients
            .eventBridge()
            .send(new PutEventsCommand({ Entries: chunk.map(entry) }), { abortSignal });
          if (!response.FailedEntryCount) return [];
          return chunk.flatMap((record, i) => {
            const code = response.Entries?.[i]?.ErrorCode;
            return code ? [{ record, code, retryable: isRetryableAwsError({ name: code }) }] : [];
          });
        }),
      );
      const first = results[0];
      if (first?.status === 'rejected' && results.every((r) => r.status === 'rejected')) throw first.reason;
      const failures = results.flatMap((r, i) =>
        r.status === 'fulfilled'
          ? r.value
          : chunks[i]!.map((record) => ({ record, code: errorName(r.reason), retryable: isRetryable(r.reason) })),
      );
      if (failures.length === 0) return;
      const codes = [...new Set(failures.map((f) => f.code))].join(', ');
      throw new PartialDeliveryError(
        `EventBridge did not accept ${failures.length} of ${batch.records.length} entries (${codes})`,
        { ...batch, records: failures.map((f) => f.record) },
        failures.every((f) => f.retryable),
      );
    },
  };
}
