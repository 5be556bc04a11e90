/**
 * A local server speaking Personalize Runtime's REST-JSON protocol (`POST /recommendations`,
 * `POST /personalize-ranking`), so the real @aws-sdk/client-personalize-runtime client serialises
 * requests and parses answers as it does against AWS. It records every call; `mode` makes it answer
 * with the service's throttling or not-found errors.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PersonalizeCall {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakePersonalizeRuntime {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint`. */
  endpoint: string;
  calls: PersonalizeCall[];
  mode: 'ok' | 'throttle' | 'missing' | 'invalid-input';
  close(): Promise<void>;
}

export async function startFakePersonalizeRuntime(): Promise<FakePersonalizeRuntime> {
  const fake: FakePersonalizeRuntime = { endpoint: '', calls: [], mode: 'ok', close: async () => {} };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      fake.calls.push({ path: req.url ?? '', body, headers: req.headers });
      if (fake.mode === 'throttle') {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
        return res.end(JSON.stringify({ message: 'Rate exceeded' }));
      }
      if (fake.mode === 'invalid-input') {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidInputException' });
        return res.end(JSON.stringify({ message: 'Filter expression references unknown column METRO' }));
      }
      if (fake.mode === 'missing') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        return res.end(JSON.stringify({ message: 'Campaign not found' }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/personalize-ranking') {
        const ranked = [...(body.inputList as string[])]
          .reverse()
          .map((itemId, i) => ({ itemId, score: 0.9 - i * 0.1 }));
        return res.end(JSON.stringify({ personalizedRanking: ranked, recommendationId: 'RID-rank' }));
      }
      const n = body.numResults as number;
      const itemList = Array.from({ length: n }, (_, i) => ({
        itemId: `p${i}`,
        score: 0.5,
        ...(body.metadataColumns ? { metadata: { name: `Product ${i}` } } : {}),
        reason: ['Popular'],
      }));
      res.end(JSON.stringify({ itemList, recommendationId: 'RID-1' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((r) => server.close(() => r()));
  return fake;
}
