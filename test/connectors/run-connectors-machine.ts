/**
 * Runs `state-machines/connectors.asl.json` in aws-local-stepfunctions with the real task handlers.
 *
 * aws-local-stepfunctions cannot execute a Distributed Map's ItemReader or ItemBatcher. So, and only
 * for that, the definition is rewritten before it runs: each Map with an ItemReader gets a Task in front
 * of it that does what the real reader and batcher would — a real ListObjectsV2 on the emulated bucket
 * with the reader's resolved Bucket and Prefix, every listed object as `{Etag, Key, LastModified, Size,
 * StorageClass}`, cut into batches of MaxItemsPerBatch, each `{Items, BatchInput}` — and the Map
 * iterates that listing through ItemsPath. Everything else (the Choice, Catch, cleanup, the worker
 * Lambdas) runs as written.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { loadDefinition } from '../state-machines/run-state-machine.ts';

type Json = Record<string, any>;

const LISTING = '$.__itemReaderListing';

/** The definition with every ItemReader replaced by a listing Task (see the module header). */
export function withEmulatedItemReaders(definition: Json): { definition: Json; readers: string[] } {
  const states = definition.States as Record<string, Json>;
  const readers: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Map' || !state.ItemReader) continue;
    const reader = `${name}ItemReader`;
    readers.push(reader);
    const params = state.ItemReader.Parameters as Json;
    states[reader] = {
      Type: 'Task',
      Resource: `arn:aws:lambda:us-east-1:123456789012:function:${reader}`,
      Parameters: {
        'Bucket.$': params['Bucket.$'],
        'Prefix.$': params['Prefix.$'],
        'MaxItemsPerBatch.$': state.ItemBatcher.MaxItemsPerBatchPath,
        ...Object.fromEntries(
          Object.entries(state.ItemBatcher.BatchInput as Json).map(([k, v]) => [`BatchInput.${k}`, v]),
        ),
      },
      ResultPath: LISTING,
      Next: name,
    };
    delete state.ItemReader;
    delete state.ItemBatcher;
    delete state.ToleratedFailurePercentage;
    state.ItemsPath = LISTING;
    // Whatever led to the Map now leads to its reader.
    if (definition.StartAt === name) definition.StartAt = reader;
    for (const [other, s] of Object.entries(states)) {
      if (other === reader) continue;
      if (s.Next === name) s.Next = reader;
      for (const c of [...(s.Choices ?? []), ...(s.Catch ?? [])]) if (c.Next === name) c.Next = reader;
      if (s.Default === name) s.Default = reader;
    }
  }
  return { definition, readers };
}

/** What the S3 ListObjectsV2 ItemReader with an ItemBatcher hands the Map. */
export function listingHandler(s3: S3Client) {
  return async (input: Json) => {
    const batchInput: Json = {};
    for (const [k, v] of Object.entries(input)) if (k.startsWith('BatchInput.')) batchInput[k.slice(11)] = v;
    const items: Json[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: input.Bucket, Prefix: input.Prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        items.push({
          Etag: o.ETag,
          Key: o.Key,
          LastModified: o.LastModified ? Math.floor(o.LastModified.getTime() / 1000) : undefined,
          Size: o.Size,
          StorageClass: o.StorageClass ?? 'STANDARD',
        });
      }
      token = page.NextContinuationToken;
    } while (token);
    const batches: Json[] = [];
    for (let i = 0; i < items.length; i += input.MaxItemsPerBatch) {
      batches.push({ Items: items.slice(i, i + input.MaxItemsPerBatch), BatchInput: batchInput });
    }
    return batches;
  };
}

export async function runConnectorsMachine(
  input: unknown,
  s3: S3Client,
  handlers: Record<string, (input: any) => Promise<unknown>>,
): Promise<unknown> {
  const { definition, readers } = withEmulatedItemReaders(loadDefinition('connectors.asl.json') as Json);
  const all = { ...handlers, ...Object.fromEntries(readers.map((r) => [r, listingHandler(s3)])) };
  const machine = new StateMachine(definition as StateMachineDefinition);
  const execution = machine.run(input as any, {
    overrides: {
      taskResourceLocalHandlers: all as any,
      retryIntervalOverrides: Object.fromEntries(Object.keys(all).map((name) => [name, 0])),
    },
  });
  return execution.result;
}
