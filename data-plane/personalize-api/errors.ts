/**
 * Errors in Amazon Personalize's own shape: the type in `x-amzn-ErrorType` and `{"message"}` as the
 * body, so the AWS SDK raises its typed exceptions (`ResourceNotFoundException`, `InvalidInputException`,
 * …) for calls to the compatible API. The data plane's ApiErrors are translated by status.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../errors.ts';

export type PersonalizeErrorType =
  | 'InvalidInputException'
  | 'ResourceNotFoundException'
  | 'LimitExceededException'
  | 'ThrottlingException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'AccessDeniedException'
  | 'ServiceUnavailableException'
  | 'InternalFailure';

export class PersonalizeApiError extends Error {
  override name = 'PersonalizeApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly errorType: PersonalizeErrorType,
    message: string,
    /** Headers the answer carries besides the error type (`Allow`, `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalidInput = (message: string) => new PersonalizeApiError(400, 'InvalidInputException', message);
export const resourceNotFound = (message: string) => new PersonalizeApiError(404, 'ResourceNotFoundException', message);

function typeOfStatus(status: number): PersonalizeErrorType {
  if (status === 404) return 'ResourceNotFoundException';
  if (status === 413) return 'LimitExceededException';
  if (status === 429) return 'ThrottlingException';
  if (status === 401) return 'UnrecognizedClientException';
  if (status === 403) return 'AccessDeniedException';
  if (status >= 500) return status === 500 ? 'InternalFailure' : 'ServiceUnavailableException';
  return 'InvalidInputException';
}

/** The Personalize error for anything a compatible route threw; undefined for an unexpected error (a 500). */
export function toPersonalizeError(err: unknown): PersonalizeApiError | undefined {
  if (err instanceof PersonalizeApiError) return err;
  if (err instanceof ApiError) {
    return new PersonalizeApiError(err.status, typeOfStatus(err.status), err.message, err.responseHeaders());
  }
  if (err instanceof HTTPException && err.status < 500) {
    return new PersonalizeApiError(err.status, typeOfStatus(err.status), err.message || 'bad request');
  }
  return undefined;
}

/** Body and headers of an error answer. */
export function errorResponse(err: PersonalizeApiError): Response {
  return new Response(JSON.stringify({ message: err.message }), {
    status: err.status,
    headers: { ...err.headers, 'Content-Type': 'application/json', 'x-amzn-ErrorType': err.errorType },
  });
}
