import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { validatorEventSchema } from '../../../control-plane/config-validator/event.ts';
import { validateAndAnnounce } from '../../../control-plane/config-validator/validate-and-announce.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { sample } from '../helpers/samples.ts';

const eventBridge = mockClient(EventBridgeClient);
const encode = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const eventFor = (content: unknown) =>
  validatorEventSchema.parse({ ...fixture('events/appconfig-validator.json'), content: encode(content) });
const deps = () => ({ eventBridge: new EventBridgeClient({}), eventBusName: 'p13n-bus', logger: recordingLogger() });

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
});

describe('validateAndAnnounce', () => {
  it('puts one PersonalizationApisConfigurationChange event carrying the decoded configuration', async () => {
    const config = sample('config_simple.json');
    await validateAndAnnounce(eventFor(config), deps());

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const [entry] = calls[0]!.args[0].input.Entries!;
    expect(entry).toMatchObject({
      Source: 'personalization.apis',
      DetailType: 'PersonalizationApisConfigurationChange',
      EventBusName: 'p13n-bus',
    });
    expect(JSON.parse(entry!.Detail!)).toEqual({
      applicationId: 'abc1234',
      configurationProfileId: 'prof567',
      configurationVersion: '3',
      config,
    });
  });

  it('rejects an invalid configuration with every path and reason, and puts no event', async () => {
    const bad = {
      namespaces: {
        shop: {
          recommenders: { 'recommend-items': { rfy: { variations: { v: { type: 'sagemaker' } } } } },
          eventTargets: [{ type: 'kinesis-stream' }],
        },
      },
    };
    const error = await validateAndAnnounce(eventFor(bad), deps()).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ValidationFailed' });
    expect((error as Error).message).toBe(
      'configuration is invalid (2 problems): ' +
        '$.namespaces.shop.recommenders.recommend-items.rfy.variations.v.endpointName: Invalid input: expected string, received undefined; ' +
        '$.namespaces.shop.eventTargets[0].streamName: Invalid input: expected string, received undefined',
    );
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('rejects content that is not JSON', async () => {
    await expect(validateAndAnnounce(eventFor('namespaces: {}'), deps())).rejects.toMatchObject({
      name: 'ValidationFailed',
      message: expect.stringMatching(/^configuration is invalid \(1 problem\): \$: not valid JSON/),
    });
  });

  it('rejects a configuration too large for one EventBridge event', async () => {
    const config = { ...sample('config_simple.json'), description: 'x'.repeat(9_000) };
    const namespaces: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) namespaces[`ns${i}`] = { description: 'y'.repeat(9_000) };
    await expect(validateAndAnnounce(eventFor({ ...config, namespaces }), deps())).rejects.toMatchObject({
      name: 'ValidationFailed',
      message: expect.stringContaining('EventBridge accepts at most 262144'),
    });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('fails when EventBridge refuses the entry', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied', ErrorMessage: 'not allowed' }] });
    await expect(validateAndAnnounce(eventFor(sample('config_simple.json')), deps())).rejects.toMatchObject({
      name: 'EventPublishFailed',
      message: 'EventBridge refused the configuration-change event: AccessDenied not allowed',
    });
  });
});
