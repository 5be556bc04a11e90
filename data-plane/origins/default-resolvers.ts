/**
 * The resolvers for every origin type the data plane calls over the network, over the lazily built AWS
 * clients. The embedded (`builtin`) recommender is added by whoever builds the app with it.
 */
import type { AwsClients } from '../../shared/aws-clients.ts';
import { httpResolver } from './http.ts';
import { lambdaResolver } from './lambda-function.ts';
import { personalizeResolver } from './personalize.ts';
import { sagemakerResolver } from './sagemaker.ts';
import type { OriginResolvers } from './types.ts';

/**
 * @example
 * const resolvers = { ...defaultResolvers(createAwsClients()), builtin: myBuiltinResolver };
 */
export function defaultResolvers(clients: AwsClients): OriginResolvers {
  const personalize = personalizeResolver(() => clients.personalizeRuntime());
  return {
    'personalize-campaign': personalize,
    'personalize-recommender': personalize,
    function: lambdaResolver(() => clients.lambda()),
    sagemaker: sagemakerResolver(() => clients.sagemakerRuntime()),
    http: httpResolver(),
  };
}
