/**
 * Issue 13 item 7: a 5xx body tells the client what kind of failure happened and a request ID, never the
 * origin's host and port, a Personalize ARN with the account ID, a file path or the origin's own words;
 * those go to the log under that request ID.
 */
import {
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-personalize-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { httpResolver } from '../../data-plane/origins/http.ts';
import { personalizeResolver } from '../../data-plane/origins/personalize.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { recordingLogger, swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

const ARN = 'arn:aws:personalize:eu-west-1:123456789012:campaign/shop-recs';
const config = {
  version: '1',
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          web: { variations: { a: { type: 'http', url: 'http://10.1.2.3:8443/internal/recs', timeoutMs: 50 } } },
          slow: { variations: { a: { type: 'http', url: 'http://10.1.2.3:8443/slow', timeoutMs: 20 } } },
          campaign: { variations: { a: { type: 'personalize-campaign', arn: ARN } } },
        },
      },
    },
  },
};

const SECRETS = ['10.1.2.3', '8443', '123456789012', '/var/task', 'Traceback', 'internal'];

let personalize: ReturnType<typeof mockClient> | undefined;
afterEach(() => personalize?.restore());

function app(answer: (url: string) => Promise<Response>) {
  const logger = recordingLogger();
  const fetchImpl = ((url: string) => answer(url)) as typeof fetch;
  const a = buildApp({
    config: swappableConfig(config),
    clients: unusedClients(),
    resolvers: {
      http: httpResolver(fetchImpl),
      'personalize-campaign': personalizeResolver(() => new PersonalizeRuntimeClient({ region: 'eu-west-1' })),
    },
    logger,
    responseCache: false,
    circuitBreaker: false,
  });
  return { a, logger };
}

async function expectSafe(res: Response, logger: ReturnType<typeof recordingLogger>, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, string>;
  expect(body).toMatchObject({ type: 'OriginError', code, requestId: expect.any(String) });
  for (const secret of SECRETS) expect(JSON.stringify(body)).not.toContain(secret);
  const logged = logger.entries.find((e) => e.attributes?.requestId === body.requestId);
  expect(logged, 'the details are logged under the request ID').toBeDefined();
  return JSON.stringify(logged);
}

describe('5xx bodies', () => {
  it("do not show an HTTP origin's host, port or answer", async () => {
    const { a, logger } = app(async () => new Response('Traceback at /var/task/internal.py', { status: 200 }));
    const logged = await expectSafe(await a.request('/recommend-items/shop/web/u1'), logger, 502, 'OriginFailed');
    expect(logged).toContain('10.1.2.3:8443');
    expect(logged).toContain('Traceback at /var/task');
  });

  it('do not show a Personalize ARN with the account ID', async () => {
    personalize = mockClient(PersonalizeRuntimeClient);
    personalize
      .on(GetRecommendationsCommand)
      .rejects(
        new ResourceNotFoundException({ message: `Campaign ${ARN} not found`, $metadata: { httpStatusCode: 404 } }),
      );
    const { a, logger } = app(async () => new Response('{}'));
    const logged = await expectSafe(await a.request('/recommend-items/shop/campaign/u1'), logger, 502, 'OriginFailed');
    expect(logged).toContain(ARN);
  });

  it('say how long the origin was given, not which origin timed out', async () => {
    const { a, logger } = app(() => new Promise(() => {}));
    const res = await a.request('/recommend-items/shop/slow/u1');
    const body = (await res.clone().json()) as { message: string };
    expect(body.message).toBe('the recommender did not answer within 20 ms');
    await expectSafe(res, logger, 504, 'OriginTimeout');
  });
});
