/**
 * Lambda entry of the generate-config custom resource, written for the CDK Provider framework
 * (`new cr.Provider(this, 'GenerateConfig', { onEventHandler })`): it returns the response, or throws
 * to fail the stack operation.
 */
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { customResourceEventSchema } from './custom-resource-event.ts';
import {
  type CustomResourceResponse,
  type DeployGeneratedConfigDeps,
  deployGeneratedConfig,
} from './deploy-generated-config.ts';

let deps: DeployGeneratedConfigDeps | undefined;

export async function handler(event: unknown): Promise<CustomResourceResponse> {
  deps ??= {
    personalize: new PersonalizeClient(boundedClientConfig()),
    appConfig: new AppConfigClient(boundedClientConfig()),
    logger: createLogger('generate-config'),
  };
  return deployGeneratedConfig(parseInput(customResourceEventSchema, event, 'custom resource event'), deps);
}
