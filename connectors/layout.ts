/**
 * Where things are inside a job folder (the same relative layout locally and in S3):
 * `config.json`, `input/user_item_mapping/*.csv`, `input/item_metadata/*.json`,
 * `errors/<partition>/part-*.jsonl`, `output/<connector>/<partition>/part-*.jsonl`, with
 * `<partition>` = `year=YYYY/month=MM/day=DD/time=HHMMSS` (UTC) of the run's start.
 */
import { createHash } from 'node:crypto';
import type { ConnectorName } from './job-config.ts';

export const CONFIG_FILE = 'config.json';
export const MAPPING_DIR = 'input/user_item_mapping/';
export const ITEM_METADATA_DIR = 'input/item_metadata/';

/** The run's partition path. */
export function partitionOf(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return `year=${date.getUTCFullYear()}/month=${pad(date.getUTCMonth() + 1)}/day=${pad(date.getUTCDate())}/time=${time}`;
}

export function outputDir(connector: ConnectorName, partition: string): string {
  return `output/${connector}/${partition}/`;
}

/**
 * Where a cloud run notes, per output part, the users whose line in it a later occurrence replaced
 * (written by the part that replaced them, read by the commit): `output/.superseded/<partition>/`.
 */
export function supersededDir(partition: string, part?: string): string {
  return `output/.superseded/${partition}/${part ? `${part}/` : ''}`;
}

export function errorsDir(partition: string): string {
  return `errors/${partition}/`;
}

/** The part name a batch-inference part file's results get, the same in every run and every folder. */
export function partName(sourceKey: string): string {
  return `part-${createHash('sha1').update(sourceKey).digest('hex').slice(0, 16)}.jsonl`;
}

/** Batch-inference part files: everything in the output folder but markers, manifests and hidden files. */
export function isPartFile(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return name !== '' && !name.startsWith('_') && !name.startsWith('.') && name !== 'job_config.json.out';
}

/** Catalogue and mapping files: JSON lines and CSV, plain or gzip. */
export const isJsonLinesFile = (key: string) => /\.(json|jsonl)(\.gz)?$/.test(key);
export const isCsvFile = (key: string) => /\.csv(\.gz)?$/.test(key);
