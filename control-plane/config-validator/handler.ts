/** Lambda entry of the AppConfig LAMBDA validator; throwing rejects the configuration version. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import { envFields } from '../env.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { validatorEventSchema } from './event.ts';
import { type ValidateAndAnnounceDeps, validateAndAnnounce } from './validate-and-announce.ts';

const envSchema = z.object({ P13N_EVENT_BUS_NAME: envFields.P13N_EVENT_BUS_NAME });

let deps: ValidateAndAnnounceDeps | undefined;

function coldStart(): ValidateAndAnnounceDeps {
  const env = parseInput(envSchema, process.env, 'environment');
  return {
    eventBridge: new EventBridgeClient(boundedClientConfig()),
    eventBusName: env.P13N_EVENT_BUS_NAME,
    logger: createLogger('config-validator'),
  };
}

export async function handler(event: unknown): Promise<void> {
  deps ??= coldStart();
  await validateAndAnnounce(parseInput(validatorEventSchema, event, 'AppConfig validator event'), deps);
}
