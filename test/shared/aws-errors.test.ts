import { describe, expect, it } from 'vitest';
import { classifyAwsError, isRetryableAwsError, isThrottled } from '../../shared/aws-errors.ts';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

describe('classifyAwsError', () => {
  it('tells throttling, server or transport failures, client faults and anything else apart', () => {
    expect(
      [
        sdkError('ThrottlingException', 400),
        sdkError('ProvisionedThroughputExceededException', 400),
        sdkError('SlowDown', 503),
        sdkError('Whatever', 429),
        sdkError('Whatever', 400, { $retryable: { throttling: true } }),
      ].map(classifyAwsError),
    ).toEqual(['throttled', 'throttled', 'throttled', 'throttled', 'throttled']);
    expect(
      [
        sdkError('InternalFailure', 500),
        sdkError('ServiceUnavailableException'),
        sdkError('TimeoutError'),
        Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
        sdkError('Anything', 400, { $retryable: {} }),
      ].map(classifyAwsError),
    ).toEqual(['retryable', 'retryable', 'retryable', 'retryable', 'retryable']);
    expect(
      [
        sdkError('ValidationException', 400),
        sdkError('ResourceNotFoundException', 404),
        sdkError('AccessDeniedException', 403),
        sdkError('InvalidInputException', undefined, { $fault: 'client' }),
      ].map(classifyAwsError),
    ).toEqual(['clientFault', 'clientFault', 'clientFault', 'clientFault']);
    expect([new Error('bug'), 'text', undefined, null].map(classifyAwsError)).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('answers the yes/no questions callers ask from the same classification', () => {
    expect(isThrottled(sdkError('ThrottlingException'))).toBe(true);
    expect(isThrottled(sdkError('InternalFailure', 500))).toBe(false);
    expect(isRetryableAwsError(sdkError('ThrottlingException'))).toBe(true);
    expect(isRetryableAwsError(sdkError('InternalFailure', 500))).toBe(true);
    expect(isRetryableAwsError(sdkError('ValidationException', 400))).toBe(false);
    expect(isRetryableAwsError(new Error('bug'))).toBe(false);
  });
});
