/**
 * The AppConfig validator's core: decode and validate the configuration (schema and semantic checks),
 * reject it by throwing a message that lists every problem, and announce an accepted configuration on
 * EventBridge so the `sync-resources` state machine brings the dependent resources in line.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { validateConfigText } from '../../schema/validate-config.ts';
import type { Logger } from '../../shared/logger.ts';
import {
  CONFIG_CHANGE_DETAIL_TYPE,
  CONFIG_CHANGE_SOURCE,
  type ConfigChangeDetail,
} from '../../state-machines/sync-resources-payload.ts';
import { EventPublishFailed, ValidationFailed } from '../errors.ts';
import { validationFailed } from '../validation-message.ts';
import type { ValidatorEvent } from './event.ts';

/** EventBridge's limit on one entry (detail, detail-type, source and resources together). */
const MAX_EVENT_BYTES = 256 * 1024;

export interface ValidateAndAnnounceDeps {
  eventBridge: EventBridgeClient;
  eventBusName: string;
  logger: Logger;
}

/**
 * @example
 * await validateAndAnnounce(event, { eventBridge: new EventBridgeClient({}), eventBusName: 'default', logger });
 * // throws ValidationFailed('configuration is invalid (1 problem): $.namespaces: …') on a bad configuration
 */
export async function validateAndAnnounce(event: ValidatorEvent, deps: ValidateAndAnnounceDeps): Promise<void> {
  const text = Buffer.from(event.content, 'base64').toString('utf8');
  const result = validateConfigText(text);
  for (const w of result.warnings) deps.logger.warn('configuration warning', { path: w.path, reason: w.message });
  if (!result.ok) {
    deps.logger.info('configuration rejected', { version: event.configurationVersion, problems: result.errors });
    throw validationFailed(result.errors);
  }

  const detail: ConfigChangeDetail = {
    applicationId: event.applicationId,
    configurationProfileId: event.configurationProfileId,
    configurationVersion: event.configurationVersion,
    config: result.config,
  };
  const entry = {
    Source: CONFIG_CHANGE_SOURCE,
    DetailType: CONFIG_CHANGE_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    EventBusName: deps.eventBusName,
  };
  const size = Buffer.byteLength(entry.Detail) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Source);
  if (size > MAX_EVENT_BYTES) {
    throw new ValidationFailed(
      `configuration is ${size} bytes once wrapped in the change event; EventBridge accepts at most ${MAX_EVENT_BYTES}`,
    );
  }

  const out = await deps.eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
  const failed = out.Entries?.find((e) => e.ErrorCode);
  if ((out.FailedEntryCount ?? 0) > 0 || failed) {
    throw new EventPublishFailed(
      `EventBridge refused the configuration-change event: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim(),
    );
  }
  deps.logger.info('configuration accepted', {
    version: event.configurationVersion,
    eventId: out.Entries?.[0]?.EventId,
    namespaces: Object.keys(result.config.namespaces).length,
  });
}
