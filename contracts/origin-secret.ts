/**
 * What the CDK app and the data plane agree on for the secret origin header: CloudFront adds the header,
 * the data plane (told where the secret is by the environment variable) refuses requests without it.
 */

/** The header CloudFront adds to every origin request; a viewer's own value is overwritten by CloudFront. */
export const ORIGIN_SECRET_HEADER = 'x-p13n-origin-verify';

/**
 * The REST stage cache's key parameter for the header: behind CloudFront (cacheScheme Both) GETs are
 * cached per its value, so a direct caller without the secret never hits an entry CloudFront filled
 * and reaches the data plane, which refuses it. The control plane's cache-key sync keeps it.
 */
export const ORIGIN_SECRET_CACHE_KEY = `method.request.header.${ORIGIN_SECRET_HEADER}`;

/** The data plane's environment variable holding the secret's Secrets Manager ARN. */
export const ORIGIN_SECRET_ARN_ENV = 'P13N_ORIGIN_SECRET_ARN';
