/**
 * The CORS rules API Gateway applies in front of the data plane, so browsers (Swagger UI included)
 * can call the APIs and read the caching headers.
 */
import { Duration } from 'aws-cdk-lib';

export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'if-none-match', 'x-api-key'];
export const CORS_EXPOSE_HEADERS = [
  'cache-control',
  'etag',
  'x-personalization-config-version',
  'x-personalization-recommendation-id',
  'x-personalization-variation',
];
export const CORS_MAX_AGE = Duration.days(1);
