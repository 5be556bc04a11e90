/**
 * Amazon SageMaker endpoints as recommenders: InvokeEndpoint with the version 1.0 payload as JSON; the
 * model answers `{itemList}` or `{personalizedRanking}` as JSON.
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { OriginFailedError } from '../errors.ts';
import { originPayload, parseOriginJson, parseOriginResult } from './payload.ts';
import type { OriginRequest, OriginResolver } from './types.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * @example
 * resolvers.sagemaker = sagemakerResolver(() => clients.sagemakerRuntime());
 */
export function sagemakerResolver(client: () => SageMakerRuntimeClient): OriginResolver {
  return async (request: OriginRequest) => {
    const { variation } = request;
    if (variation.type !== 'sagemaker') {
      throw new OriginFailedError(`variation ${variation.key}`, `not a sagemaker variation (${variation.type})`);
    }
    const origin = `SageMaker endpoint ${variation.endpointName}`;
    const out = await client().send(
      new InvokeEndpointCommand({
        EndpointName: variation.endpointName,
        ContentType: 'application/json',
        Accept: 'application/json',
        Body: encoder.encode(JSON.stringify(originPayload(request))),
      }),
      { abortSignal: request.signal },
    );
    const text = out.Body ? decoder.decode(out.Body) : '';
    return parseOriginResult(parseOriginJson(text, origin), origin);
  };
}
