/**
 * What loads on demand loads once, is read synchronously after, and is tried again after a failed load.
 */
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { onDemand, onDemandCall } from '../../shared/on-demand.ts';

describe('onDemand', () => {
  it('builds once, is current after loading, and forgets a failed load', async () => {
    let builds = 0;
    const value = onDemand(async () => {
      builds++;
      if (builds === 1) throw new Error('chunk missing');
      return 'loaded';
    });
    expect(value.current).toBeUndefined();
    await expect(value.load()).rejects.toThrow('chunk missing');
    expect(await Promise.all([value.load(), value.load()])).toEqual(['loaded', 'loaded']);
    expect(value.current).toBe('loaded');
    expect(builds).toBe(2);
  });

  it('a call loads its implementation at the first call or at load(), then calls it directly', async () => {
    let builds = 0;
    const double = onDemandCall(async () => {
      builds++;
      return async (n: number) => n * 2;
    });
    expect(await double(2)).toBe(4);
    await double.load();
    expect(await double(3)).toBe(6);
    expect(builds).toBe(1);
  });
});

describe('createAwsClients', () => {
  it('builds a client only after its package was loaded, once', async () => {
    const clients = createAwsClients({ region: 'us-east-1' });
    expect(() => clients.kinesis()).toThrow(/before AwsClients.load\('kinesis'\)/);
    await clients.load('kinesis');
    expect(clients.kinesis()).toBe(clients.kinesis());
    expect(await clients.kinesis().config.maxAttempts()).toBe(1);
    clients.destroy();
  });
});
