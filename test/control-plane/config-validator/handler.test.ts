import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../control-plane/config-validator/handler.ts';
import { fixture } from '../helpers/fixtures.ts';
import { sample } from '../helpers/samples.ts';

const eventBridge = mockClient(EventBridgeClient);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  delete process.env.P13N_EVENT_BUS_NAME;
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

describe('config-validator handler', () => {
  it('accepts a valid configuration and announces it on the default bus', async () => {
    const content = Buffer.from(JSON.stringify(sample('config_experiment.json'))).toString('base64');
    await expect(handler({ ...fixture('events/appconfig-validator.json'), content })).resolves.toBeUndefined();
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('default');
  });

  it('names the missing fields of a malformed event', async () => {
    await expect(handler({ content: 'e30=' })).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('$.applicationId'),
    });
  });
});
