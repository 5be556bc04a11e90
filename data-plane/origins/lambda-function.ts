/**
 * AWS Lambda functions as recommenders (variation type `function`, alias `lambda`): invoked synchronously
 * with the version 1.0 payload; the function answers `{itemList}` or `{personalizedRanking}`. A function
 * error (the function threw) is the origin's failure, a 502.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { OriginFailedError } from '../errors.ts';
import { originPayload, parseOriginJson, parseOriginResult } from './payload.ts';
import type { OriginRequest, OriginResolver } from './types.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Invokes a function with a JSON payload and returns its parsed JSON answer; shared with the response
 * post-processor.
 */
export async function invokeJson(
  client: LambdaClient,
  functionArn: string,
  payload: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const origin = `Lambda ${functionArn}`;
  const out = await client.send(
    new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: encoder.encode(JSON.stringify(payload)),
    }),
    { abortSignal: signal },
  );
  const text = out.Payload ? decoder.decode(out.Payload) : '';
  if (out.FunctionError) {
    let reason = out.FunctionError;
    try {
      const body = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      if (body.errorMessage) reason = `${body.errorType ?? out.FunctionError}: ${body.errorMessage}`;
    } catch {
      // The payload of a crashed function is not always JSON; the FunctionError name is reason enough.
    }
    throw new OriginFailedError(origin, `function error (${reason.slice(0, 300)})`);
  }
  return parseOriginJson(text, origin);
}

/**
 * @example
 * resolvers.function = lambdaResolver(() => clients.lambda());
 */
export function lambdaResolver(client: () => LambdaClient): OriginResolver {
  return async (request: OriginRequest) => {
    const { variation } = request;
    if (variation.type !== 'function') {
      throw new OriginFailedError(`variation ${variation.key}`, `not a function variation (${variation.type})`);
    }
    const json = await invokeJson(client(), variation.arn, originPayload(request), request.signal);
    return parseOriginResult(json, `Lambda ${variation.arn}`);
  };
}
