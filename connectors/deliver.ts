/**
 * Delivery of output records through a destination sender: requests of the sender's size, a bounded
 * number in flight (the sender's rate limiter paces them), refusals handed to `onRejected` with their
 * reasons. Used by `p13n connectors run` for a local run; in the cloud each SQS message is one request.
 */

import type { DestinationSender, OutputRecord, Rejection } from './destinations/types.ts';
import { ConnectorError } from './errors.ts';

export interface DeliveryReport {
  delivered: number;
  rejected: number;
}

/**
 * @example
 * await deliverRecords(readOutputRecords(stream, file, 1000), brazeSender(creds, { limiter }), {
 *   onRejected: (rejections) => writeRejected(rejections) });
 */
export async function deliverRecords(
  batches: AsyncIterable<OutputRecord[]>,
  sender: DestinationSender,
  options: { concurrency?: number; onRejected(rejections: Rejection[]): Promise<void> },
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, rejected: 0 };
  const inFlight = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 8;
  const request = async (records: OutputRecord[]) => {
    let rejections: Rejection[];
    try {
      rejections = await sender.send(records);
    } catch (err) {
      // Unavailable after the retries, or credentials refused: these users were not delivered.
      if (!(err instanceof ConnectorError)) throw err;
      rejections = records.map((record) => ({ record, reason: err.message }));
    }
    report.rejected += rejections.length;
    report.delivered += records.length - rejections.length;
    if (rejections.length > 0) await options.onRejected(rejections);
  };
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i += sender.maxRecordsPerRequest) {
      const task = request(batch.slice(i, i + sender.maxRecordsPerRequest));
      inFlight.add(task);
      task.then(
        () => inFlight.delete(task),
        () => inFlight.delete(task),
      );
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return report;
}
