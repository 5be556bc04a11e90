/**
 * How callers of a deployment authenticate: the one list the CDK app's `authenticationScheme`, the
 * control plane's `P13N_AUTH_SCHEME`, `p13n openapi --auth` and the OpenAPI document's security
 * scheme all read.
 */

export const AUTH_SCHEMES = ['None', 'ApiKey', 'OAuth2-Cognito'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** Type guard for user input (command lines, environment, context keys). */
export const isAuthScheme = (value: string): value is AuthScheme => (AUTH_SCHEMES as readonly string[]).includes(value);
