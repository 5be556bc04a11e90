/**
 * API Gateway events for the local Lambda runtime, made from the recorded fixtures
 * (`test/fixtures/events/apigw-http-v2.json`, `apigw-rest-v1.json`) cloned and pointed at a request,
 * and the reading of a handler's result in either shape (HTTP v2 `headers`, REST v1 `multiValueHeaders`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ApiRequest {
  method?: 'GET' | 'POST';
  /** Path as sent, percent-encoded where needed. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

export interface ApiResponse {
  status: number;
  /** Lower-case names, one value each. */
  headers: Record<string, string>;
  body: string;
}

const fixture = (name: string): Record<string, any> =>
  structuredClone(JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')));

function lowerCased(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** An HTTP API (payload 2.0) event with the `$default` route. */
export function httpApiEvent(request: ApiRequest): Record<string, any> {
  const event = fixture('apigw-http-v2');
  const method = request.method ?? 'GET';
  const query = request.query ?? {};
  event.routeKey = '$default';
  event.rawPath = request.path;
  event.rawQueryString = new URLSearchParams(query).toString();
  event.queryStringParameters = Object.keys(query).length > 0 ? query : undefined;
  delete event.pathParameters;
  event.headers = { ...event.headers, ...lowerCased(request.headers) };
  if (request.body !== undefined) event.headers['content-length'] = String(Buffer.byteLength(request.body));
  Object.assign(event.requestContext, {
    routeKey: '$default',
    requestId: randomUUID(),
    timeEpoch: Date.now(),
    http: { ...event.requestContext.http, method, path: request.path },
  });
  event.body = request.body;
  event.isBase64Encoded = false;
  return event;
}

/** A REST API (payload 1.0) event through a `/{proxy+}` resource. */
export function restApiEvent(request: ApiRequest): Record<string, any> {
  const event = fixture('apigw-rest-v1');
  const method = request.method ?? 'GET';
  const query = request.query ?? {};
  const headers = { ...event.headers, ...request.headers } as Record<string, string>;
  event.resource = '/{proxy+}';
  event.path = request.path;
  event.httpMethod = method;
  event.headers = headers;
  event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  event.queryStringParameters = Object.keys(query).length > 0 ? query : null;
  event.multiValueQueryStringParameters =
    Object.keys(query).length > 0 ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null;
  event.pathParameters = { proxy: request.path.slice(1) };
  Object.assign(event.requestContext, {
    resourcePath: '/{proxy+}',
    httpMethod: method,
    path: `/prod${request.path}`,
    requestId: randomUUID(),
    requestTimeEpoch: Date.now(),
  });
  event.body = request.body ?? null;
  event.isBase64Encoded = false;
  return event;
}

/** Reads a handler's result of either payload version. */
export function apiResponse(result: unknown): ApiResponse {
  const r = result as {
    statusCode: number;
    headers?: Record<string, string>;
    multiValueHeaders?: Record<string, string[]>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers = lowerCased(r.headers);
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.join(', ');
  const body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64').toString('utf8') : (r.body ?? '');
  return { status: r.statusCode, headers, body };
}
