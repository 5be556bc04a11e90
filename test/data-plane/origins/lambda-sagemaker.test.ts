import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../helpers/fake-origin.ts';
import { appFor, json, UUID_V7 } from '../helpers.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:custom-recs';
const config = {
  version: 'L',
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          fn: { variations: { f: { type: 'lambda', arn: FN } } },
          sm: { variations: { s: { type: 'sagemaker', endpointName: 'two-tower' } } },
        },
        'rerank-items': { fn: { variations: { f: { type: 'function', arn: FN } } } },
      },
    },
  },
};
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)) as never;
const dec = (b: unknown) => JSON.parse(new TextDecoder().decode(b as Uint8Array));

const lambda = mockClient(LambdaClient);
const sagemaker = mockClient(SageMakerRuntimeClient);
afterEach(() => {
  lambda.reset();
  sagemaker.reset();
});

describe('function (lambda) origin', () => {
  it('invokes with the 1.0 payload and answers its itemList', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: enc({ itemList: [{ itemId: 'a' }, 'b'] }) });
    const res = await (await appFor(config)).request('/recommend-items/shop/fn/u1?numResults=2&context={"k":"v"}');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      itemList: [{ itemId: 'a' }, { itemId: 'b' }],
      recommendationId: expect.stringMatching(UUID_V7),
    });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input.FunctionName).toBe(FN);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(dec(input.Payload)).toEqual({
      version: '1.0',
      action: 'recommend-items',
      recommender: { path: '/recommend-items/shop/fn', config: { defaultNumResults: 25, maxNumResults: 500 } },
      variation: expect.objectContaining({ key: 'f', type: 'function', arn: FN }),
      userId: 'u1',
      numResults: 2,
      context: { k: 'v' },
    });
  });

  it('reads personalizedRanking for rerank-items', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: enc({ personalizedRanking: [{ itemId: 'y', score: 2 }] }) });
    const res = await (await appFor(config)).request('/rerank-items/shop/fn/u1/x,y');
    expect(await json(res)).toEqual({
      personalizedRanking: [{ itemId: 'y', score: 2 }],
      recommendationId: expect.stringMatching(UUID_V7),
    });
    expect(dec(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload)).toMatchObject({ itemList: ['x', 'y'] });
  });

  it('a function error is a 502 whose message (logged, not shown) is the function’s, throttling a 429', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: enc({ errorType: 'KeyError', errorMessage: "'userId'", trace: ['secret'] }),
    });
    const logger = recordingLogger();
    const failed = await (await appFor(config, { logger })).request('/recommend-items/shop/fn/u1');
    expect(failed.status).toBe(502);
    const body = await json(failed);
    expect(JSON.stringify(body)).not.toContain('KeyError');
    const logged = JSON.stringify(logger.entries.find((e) => e.attributes?.requestId === body.requestId));
    expect(logged).toContain("KeyError: 'userId'");
    expect(logged).not.toContain('secret');

    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    expect((await (await appFor(config)).request('/recommend-items/shop/fn/u1')).status).toBe(429);
  });
});

describe('sagemaker origin', () => {
  it('invokes the endpoint with the payload as JSON', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: enc({ itemList: [{ itemId: 'z', score: 0.1 }] }) });
    const res = await (await appFor(config)).request('/recommend-items/shop/sm/u9?numResults=1');
    expect(await json(res)).toEqual({
      itemList: [{ itemId: 'z', score: 0.1 }],
      recommendationId: expect.stringMatching(UUID_V7),
    });
    const input = sagemaker.commandCalls(InvokeEndpointCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      EndpointName: 'two-tower',
      ContentType: 'application/json',
      Accept: 'application/json',
    });
    expect(dec(input.Body)).toMatchObject({ version: '1.0', userId: 'u9', numResults: 1 });
  });

  it('a model error is a 502', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(new ModelError({ message: 'model crashed', $metadata: {} }));
    const res = await (await appFor(config)).request('/recommend-items/shop/sm/u9');
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({ type: 'OriginError', code: 'OriginFailed' });
  });
});
