import { EvaluateFeatureCommand, EvidentlyClient, PutProjectEventsCommand } from '@aws-sdk/client-evidently';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  evaluateWithEvidently,
  metricEventData,
  putExposures,
  putMetricEvents,
} from '../../../data-plane/experiments/evidently.ts';
import { type LogAttributes, silentLogger } from '../../../shared/logger.ts';

const keys = ['sims', 'similar-items', 'trending'];
const request = { project: 'my-store', feature: 'product-detail-view', userId: '12', variationKeys: keys };

function setup() {
  const client = new EvidentlyClient({});
  const mock = mockClient(client);
  const warnings: Array<{ message: string; attributes?: LogAttributes }> = [];
  const logger = {
    ...silentLogger,
    warn: (message: string, attributes?: LogAttributes) => warnings.push({ message, attributes }),
  };
  return { client, mock, logger, warnings };
}

describe('evaluateWithEvidently', () => {
  it('calls EvaluateFeature with the project, feature and user as entity', async () => {
    const { client, mock, logger } = setup();
    mock.on(EvaluateFeatureCommand).resolves({
      variation: 'B',
      value: { stringValue: 'similar-items' },
      reason: 'EXPERIMENT_RULE_MATCH',
      details: '{"experiment":"pdp-test","treatment":"B"}',
    });
    expect(await evaluateWithEvidently(client, logger, request)).toEqual({
      variationKey: 'similar-items',
      assigned: true,
      experimentMatch: true,
      details: { experiment: 'pdp-test', treatment: 'B' },
    });
    expect(mock.commandCalls(EvaluateFeatureCommand)[0]!.args[0].input).toEqual({
      project: 'my-store',
      feature: 'product-detail-view',
      entityId: '12',
    });
  });

  it('assigns without an experiment match when a launch, override or default value serves', async () => {
    const { client, mock, logger } = setup();
    mock.on(EvaluateFeatureCommand).resolves({ value: { stringValue: 'trending' }, reason: 'LAUNCH_RULE_MATCH' });
    expect(await evaluateWithEvidently(client, logger, request)).toEqual({
      variationKey: 'trending',
      assigned: true,
      experimentMatch: false,
    });
  });

  it('maps long and double values to variations by index', async () => {
    const { client, mock, logger } = setup();
    mock
      .on(EvaluateFeatureCommand)
      .resolvesOnce({ value: { longValue: 2 } })
      .resolvesOnce({ value: { doubleValue: 1 } });
    expect((await evaluateWithEvidently(client, logger, request)).variationKey).toBe('trending');
    expect((await evaluateWithEvidently(client, logger, request)).variationKey).toBe('similar-items');
  });

  it.each([
    ['an unknown string', { stringValue: 'nope' }],
    ['an index out of range', { longValue: 7 }],
    ['a fractional index', { doubleValue: 0.5 }],
    ['a boolean', { boolValue: true }],
  ])('serves the first variation, unassigned, for %s', async (_what, value) => {
    const { client, mock, logger, warnings } = setup();
    mock.on(EvaluateFeatureCommand).resolves({ value });
    expect(await evaluateWithEvidently(client, logger, request)).toEqual({
      variationKey: 'sims',
      assigned: false,
      experimentMatch: false,
    });
    expect(warnings).toHaveLength(1);
  });

  it('falls back to the first variation on any Evidently error, and logs it', async () => {
    const { client, mock, logger, warnings } = setup();
    mock
      .on(EvaluateFeatureCommand)
      .rejects(Object.assign(new Error('project not found'), { name: 'ResourceNotFoundException' }));
    expect(await evaluateWithEvidently(client, logger, request)).toEqual({
      variationKey: 'sims',
      assigned: false,
      experimentMatch: false,
    });
    expect(warnings[0]!.attributes).toMatchObject({
      project: 'my-store',
      feature: 'product-detail-view',
      error: { name: 'ResourceNotFoundException' },
    });
  });
});

describe('Evidently metric events', () => {
  it('shapes data by the dotted entityIdKey and valueKey', () => {
    expect(metricEventData({ entityIdKey: 'userDetails.userId', valueKey: 'details.productClicked' }, '12', 1)).toEqual(
      {
        userDetails: { userId: '12' },
        details: { productClicked: 1 },
      },
    );
    expect(metricEventData({ entityIdKey: 'a.b', valueKey: 'a.c' }, 'u', 2)).toEqual({ a: { b: 'u', c: 2 } });
  });

  it('sends exposures (value 0) for metrics that track exposures, true unless set false as in the old service', async () => {
    const { client, mock } = setup();
    mock.on(PutProjectEventsCommand).resolves({ failedEventCount: 0 });
    const timestamp = new Date('2026-11-02T10:00:00Z');
    await putExposures(
      client,
      {
        method: 'evidently',
        project: 'my-store',
        metrics: {
          clicked: { trackExposures: true, entityIdKey: 'userDetails.userId', valueKey: 'details.productClicked' },
          revenue: { trackExposures: false, entityIdKey: 'user', valueKey: 'amount' },
          views: { entityIdKey: 'viewer', valueKey: 'viewed' },
        },
      },
      '12',
      timestamp,
    );
    expect(mock.commandCalls(PutProjectEventsCommand)[0]!.args[0].input).toEqual({
      project: 'my-store',
      events: [
        {
          timestamp,
          type: 'aws.evidently.custom',
          data: JSON.stringify({ userDetails: { userId: '12' }, details: { productClicked: 0 } }),
        },
        { timestamp, type: 'aws.evidently.custom', data: JSON.stringify({ viewer: '12', viewed: 0 }) },
      ],
    });
  });

  it('makes no call when no metric tracks exposures', async () => {
    const { client, mock } = setup();
    await putExposures(
      client,
      { method: 'evidently', project: 'p', metrics: { m: { trackExposures: false, entityIdKey: 'u', valueKey: 'v' } } },
      '1',
      new Date(),
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('throws when Evidently rejects events, naming the reason', async () => {
    const { client, mock } = setup();
    mock.on(PutProjectEventsCommand).resolves({
      failedEventCount: 1,
      eventResults: [{ errorCode: 'ValidationException', errorMessage: 'bad data' }],
    });
    await expect(
      putMetricEvents(client, 'p', [
        { metric: { entityIdKey: 'u', valueKey: 'v' }, userId: '1', value: 1, timestamp: new Date() },
      ]),
    ).rejects.toThrow('ValidationException: bad data');
  });
});
