/**
 * The resolvers for every origin type the data plane calls over the network, over the lazily built AWS
 * clients. The embedded (`builtin`) recommender is added by whoever builds the app with it. Each AWS
 * origin's module and SDK client load on demand — when a configuration using it is prepared, or at its
 * first call — so a deployment never loads the clients its configuration does not use.
 */
import type { AwsClients } from '../../shared/aws-clients.ts';
import { type OnDemandCall, onDemandCall } from '../../shared/on-demand.ts';
import { httpResolver } from './http.ts';
import type { OriginResolvers } from './types.ts';

/**
 * @example
 * const resolvers = { ...defaultResolvers(createAwsClients()), builtin: myBuiltinResolver };
 */
export function defaultResolvers(clients: AwsClients): OriginResolvers {
  const personalize = onDemandCall(async () => {
    const [{ personalizeResolver }] = await Promise.all([
      import('./personalize.ts'),
      clients.load('personalizeRuntime'),
    ]);
    return personalizeResolver(() => clients.personalizeRuntime());
  });
  return {
    'personalize-campaign': personalize,
    'personalize-recommender': personalize,
    function: onDemandCall(async () => {
      const [{ lambdaResolver }] = await Promise.all([import('./lambda-function.ts'), clients.load('lambda')]);
      return lambdaResolver(() => clients.lambda());
    }),
    sagemaker: onDemandCall(async () => {
      const [{ sagemakerResolver }] = await Promise.all([import('./sagemaker.ts'), clients.load('sagemakerRuntime')]);
      return sagemakerResolver(() => clients.sagemakerRuntime());
    }),
    http: httpResolver(),
  };
}

/** Invokes a Lambda function with a JSON payload and returns its parsed JSON answer (response post-processors). */
export type FunctionInvoker = OnDemandCall<[functionArn: string, payload: unknown, signal: AbortSignal], unknown>;

/**
 * @example
 * const invoke = functionInvoker(clients);
 * const json = await invoke(processor.arn, payload, signal);
 */
export function functionInvoker(clients: AwsClients): FunctionInvoker {
  return onDemandCall(async () => {
    const [{ invokeJson }] = await Promise.all([import('./lambda-function.ts'), clients.load('lambda')]);
    return (functionArn: string, payload: unknown, signal: AbortSignal) =>
      invokeJson(clients.lambda(), functionArn, payload, signal);
  });
}
