/**
 * Braze: each user becomes one attributes object for `POST {endpoint}/users/track`
 * (`{external_id, <prefix><field>: [values in rank order], ...otherAttributes}`), sent 75 to a request
 * with `Authorization: Bearer <key>`. Braze's answer is read: objects it lists under `errors` are
 * refused with its reason; a 400 for the whole request is split in halves until the offending objects
 * are found, so one bad user never takes the others down with it; 401/403 fail the whole request.
 */
import { DestinationError } from '../errors.ts';
import type { BrazeConnectorConfig } from '../job-config.ts';
import { recordSignature, SignatureBuilder, textHash } from '../record-signature.ts';
import { type HttpPolicy, postWithRetries } from './http.ts';
import {
  createFragmentCache,
  type DestinationSender,
  fieldsOf,
  fieldValue,
  type ItemFragments,
  type OutputRecord,
  type RecordFormatter,
  type Rejection,
} from './types.ts';

/** Braze's limit of attribute objects per /users/track request. */
export const BRAZE_MAX_ATTRIBUTES = 75;
/** Braze allows 3,000 /users/track requests per 3 seconds; stay under it by 10%. */
export const BRAZE_REQUESTS_PER_WINDOW = 2_700;
export const BRAZE_WINDOW_MS = 3_000;

export interface BrazeCredentials {
  /** REST endpoint, e.g. https://rest.iad-01.braze.com */
  endpoint: string;
  apiKey: string;
}

export function brazeFormatter(config: BrazeConnectorConfig): RecordFormatter {
  const prefix = config.attributePrefix;
  const other = Object.entries(config.otherAttributes)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
  const configured = config.itemMetadataFields;
  if (!configured || configured.includes('score')) {
    // Fields found per list, or a `score` field filled from the batch job's scores where the catalogue
    // has none: built as an object (rare, and not the large runs' path).
    return {
      connector: 'braze',
      record(userId, list) {
        const record: Record<string, unknown> = { external_id: userId };
        for (const field of fieldsOf(list, configured)) {
          record[`${prefix}${field}`] = list.ids.map((_, rank) => fieldValue(list, rank, field));
        }
        const json = JSON.stringify(Object.assign(record, config.otherAttributes));
        return { json, signature: recordSignature(json) };
      },
    };
  }
  // The hot path of large runs: the JSON text is assembled from item values serialised once per item.
  const fragmentsOf = createFragmentCache(configured);
  const keys = configured.map((field) => `,${JSON.stringify(`${prefix}${field}`)}:[`);
  const rows: ItemFragments[] = [];
  // The record is a function of the user, the items' fragments and this text: the signature hashes those.
  const signature = new SignatureBuilder(textHash(`braze\u0000${keys.join('\u0000')}\u0000${other}`));
  return {
    connector: 'braze',
    record(userId, list) {
      const { ids, metadata } = list;
      const n = ids.length;
      rows.length = n;
      signature.start(userId);
      for (let rank = 0; rank < n; rank++) {
        const id = ids[rank] as string;
        const fragments = fragmentsOf(id, metadata.get(id));
        rows[rank] = fragments;
        signature.add(fragments.hashA, fragments.hashB);
      }
      let json = `{"external_id":${JSON.stringify(userId)}`;
      for (let f = 0; f < keys.length; f++) {
        json += keys[f];
        if (n > 0) json += (rows[0] as ItemFragments).first[f];
        for (let rank = 1; rank < n; rank++) json += (rows[rank] as ItemFragments).rest[f];
        json += ']';
      }
      return { json: `${json}${other}}`, signature: signature.finish() };
    },
  };
}

interface BrazeAnswer {
  message?: string;
  errors?: Array<{ type?: string; input_array?: string; index?: number }>;
}

function parseAnswer(text: string): BrazeAnswer {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as BrazeAnswer) : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * @example
 * const sender = brazeSender({ endpoint: 'https://rest.iad-01.braze.com', apiKey }, { limiter });
 * const rejected = await sender.send(records.slice(0, 75));
 */
export function brazeSender(credentials: BrazeCredentials, http: HttpPolicy): DestinationSender {
  const url = `${credentials.endpoint.replace(/\/+$/, '')}/users/track`;
  const headers = () => ({ authorization: `Bearer ${credentials.apiKey}` });

  const send = async (records: readonly OutputRecord[]): Promise<Rejection[]> => {
    if (records.length === 0) return [];
    if (records.length > BRAZE_MAX_ATTRIBUTES) {
      const first = await send(records.slice(0, BRAZE_MAX_ATTRIBUTES));
      return first.concat(await send(records.slice(BRAZE_MAX_ATTRIBUTES)));
    }
    const body = JSON.stringify({ attributes: records.map((r) => r.record) });
    const answer = await postWithRetries(url, body, headers, http);
    const parsed = parseAnswer(answer.text);
    if (answer.status === 401 || answer.status === 403) {
      throw new DestinationError(`Braze refused the API key (HTTP ${answer.status}): ${parsed.message ?? ''}`);
    }
    if (answer.status >= 400) {
      if (records.length === 1) {
        const record = records[0] as OutputRecord;
        return [{ record, reason: `HTTP ${answer.status}: ${parsed.message ?? 'rejected'}` }];
      }
      const half = Math.ceil(records.length / 2);
      const first = await send(records.slice(0, half));
      return first.concat(await send(records.slice(half)));
    }
    const rejected: Rejection[] = [];
    for (const error of parsed.errors ?? []) {
      if (error.input_array !== undefined && error.input_array !== 'attributes') continue;
      const record = error.index === undefined ? undefined : records[error.index];
      if (record) rejected.push({ record, reason: error.type ?? 'rejected by Braze' });
    }
    return rejected;
  };

  return { connector: 'braze', maxRecordsPerRequest: BRAZE_MAX_ATTRIBUTES, send };
}
