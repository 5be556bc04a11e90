import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { queryParametersOf } from '../../../contracts/inference-query.ts';
import { generateOpenApi } from '../../../contracts/openapi/generate-openapi.ts';
import type { Config } from '../../../schema/config-schema.ts';
import { validateConfig } from '../../../schema/validate-config.ts';
import { sample, sampleConfigs } from '../helpers/samples.ts';

const samples = sampleConfigs();
const resolvedSample = (name: string) => {
  const result = validateConfig(sample(name));
  if (!result.ok) throw new Error(`${name} is not valid`);
  return result.resolved;
};
const param = (op: any, name: string) =>
  op.parameters.find((p: any) => p.name === name || p.$ref?.endsWith(`/${name}`));
/** The names of an operation's query parameters, `$ref`s resolved. */
const queryNames = (doc: any, op: any) =>
  op.parameters
    .map((p: any) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p))
    .filter((p: any) => p.in === 'query')
    .map((p: any) => p.name)
    .sort();

describe('generateOpenApi', () => {
  it('finds sample configurations to check', () => {
    expect(samples.length).toBeGreaterThanOrEqual(3);
  });

  for (const { name, config } of samples) {
    for (const auth of ['None', 'ApiKey', 'OAuth2-Cognito'] as const) {
      it(`gives a valid OpenAPI document for ${name} with auth ${auth}`, async () => {
        const doc = generateOpenApi(config as Config, { servers: ['https://api.example.com/prod'], auth });
        await expect(SwaggerParser.validate(structuredClone(doc) as any)).resolves.toBeTruthy();
        // swagger-parser does not check OpenAPI 3 path templates: every {name} must be a declared path parameter.
        for (const [path, item] of Object.entries(doc.paths)) {
          const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
          for (const op of Object.values(item) as any[]) {
            const declared = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name);
            expect(declared.sort(), path).toEqual(templated);
          }
        }
      });
    }
  }

  it('has a path per namespace, recommender and action, one events path per namespace and the Personalize operations', () => {
    const doc = generateOpenApi(resolvedSample('config_simple.json'));
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/action-recommendations',
      '/events',
      '/events/my-store',
      '/items',
      '/personalize-ranking',
      '/recommend-items/my-store/recommended-for-you/{userId}',
      '/recommendations',
      '/related-items/my-store/similar/{itemId}',
      '/rerank-items/my-store/personalized-ranking/{userId}',
      '/rerank-items/my-store/personalized-ranking/{userId}/{itemIds}',
      '/users',
    ]);
    expect(doc.paths['/rerank-items/my-store/personalized-ranking/{userId}']!.post!.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ItemIds' } } },
    });
    expect(Object.keys(doc.paths['/rerank-items/my-store/personalized-ranking/{userId}/{itemIds}']!)).toEqual(['get']);
    expect(doc.info.version).toBe('1');
    expect(doc.tags).toEqual([
      { name: 'my-store', description: 'My Store' },
      { name: 'personalize-compatible', description: expect.stringContaining('endpoint') },
    ]);
    // The campaign the sample configures answers GetRecommendations under its own ARN.
    expect(doc.paths['/recommendations']!.post!.description).toMatch(
      /`arn:aws:personalize:[^`]+:campaign\/[^`]+` → recommend-items my-store\/recommended-for-you/,
    );
  });

  it('documents every query parameter, the recommender limits and the related-items userId', () => {
    const doc = generateOpenApi(resolvedSample('config_simple.json'));
    const recommend = doc.paths['/recommend-items/my-store/recommended-for-you/{userId}']!.get!;
    // Exactly the parameters the data plane parses (contracts/inference-query.ts), no more, no fewer.
    expect(queryNames(doc, recommend)).toEqual([...queryParametersOf('recommend-items')].sort());
    expect(param(recommend, 'numResults').schema).toEqual({ type: 'integer', minimum: 1, maximum: 500, default: 25 });
    expect(param(recommend, 'userId')).toMatchObject({ in: 'path', required: true });
    const related = doc.paths['/related-items/my-store/similar/{itemId}']!.get!;
    expect(param(related, 'itemId')).toMatchObject({ in: 'path', required: true });
    expect(doc.components.parameters.relatedUserId).toMatchObject({ name: 'userId', in: 'query' });
    expect(param(related, 'relatedUserId')).toEqual({ $ref: '#/components/parameters/relatedUserId' });
    expect(queryNames(doc, related)).toEqual([...queryParametersOf('related-items')].sort());
  });

  it("offers the recommender's experiments as the feature enum", () => {
    const config = sample('config_experiment.json') as Config;
    const doc = generateOpenApi(config);
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    const features = ops.map((op: any) => param(op, 'feature')?.schema).filter((s: any) => s?.enum);
    expect(features.length).toBeGreaterThan(0);
    const recs = Object.values(config.namespaces).flatMap((ns) =>
      Object.values(ns.recommenders ?? {}).flatMap((byKey) => Object.values(byKey ?? {})),
    );
    const configured = recs.flatMap((r) => Object.keys(r.experiments ?? {}));
    expect(features.flatMap((s: any) => s.enum).sort()).toEqual([...new Set(configured)].sort());
  });

  it('describes response bodies, headers and errors', () => {
    const doc = generateOpenApi(resolvedSample('config_simple.json'));
    const get = doc.paths['/recommend-items/my-store/recommended-for-you/{userId}']!.get! as any;
    expect(Object.keys(get.responses['200'].headers)).toEqual([
      'Cache-Control',
      'ETag',
      'X-Personalization-Config-Version',
      'X-Personalization-Recommendation-Id',
      'X-Personalization-Variation',
    ]);
    expect(get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RecommendationsResponse',
    });
    expect(get.responses['304']).toEqual({ $ref: '#/components/responses/NotModified' });
    expect(Object.keys((doc.components.responses as any).NotModified.headers)).toEqual(['Cache-Control', 'ETag']);
    const schemas = doc.components.schemas as any;
    expect(Object.keys(schemas.Item.properties)).toEqual(['itemId', 'score', 'metadata']);
    expect(Object.keys(schemas.RankingResponse.properties)).toEqual([
      'personalizedRanking',
      'recommendationId',
      'matchedExperiment',
    ]);
    expect(schemas.Error.required).toEqual(['type', 'code', 'message']);
    expect(Object.keys(schemas.Event.properties)).toEqual([
      'eventType',
      'itemId',
      'eventValue',
      'impression',
      'properties',
      'recommendationId',
      'sentAt',
      'eventId',
    ]);
    expect(Object.keys(schemas.ExperimentConversion.properties)).toEqual(['recommender', 'feature', 'metric', 'value']);
    expect(Object.keys(schemas.EventsRequest.properties)).toEqual([
      'sessionId',
      'userId',
      'eventList',
      'experimentConversions',
    ]);
  });

  it('declares the security scheme of each auth type', () => {
    const config = sample('config_simple.json') as Config;
    const none = generateOpenApi(config, { auth: 'None' });
    expect(none.security).toBeUndefined();
    expect(none.components).not.toHaveProperty('securitySchemes');
    expect(none.paths['/events/my-store']!.post!.responses).not.toHaveProperty('401');

    const apiKey = generateOpenApi(config, { auth: 'ApiKey' });
    expect(apiKey.security).toEqual([{ ApiKey: [] }]);
    expect(apiKey.components).toHaveProperty(
      'securitySchemes.ApiKey',
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    );

    const jwt = generateOpenApi(config, { auth: 'OAuth2-Cognito' });
    expect(jwt.security).toEqual([{ CognitoJwt: [] }]);
    expect(jwt.components).toHaveProperty(
      'securitySchemes.CognitoJwt',
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
    expect(jwt.paths['/events/my-store']!.post!.responses).toHaveProperty('401');
  });

  it('lists the given servers and the headers auto-context rules read', () => {
    const doc = generateOpenApi(resolvedSample('config_auto_context.json'), {
      servers: ['https://d111.cloudfront.net', 'https://abc.execute-api.us-east-1.amazonaws.com/prod'],
    });
    expect(doc.servers).toEqual([
      { url: 'https://d111.cloudfront.net' },
      { url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod' },
    ]);
    const headerParams = Object.values(doc.paths)
      .flatMap((p) => Object.values(p))
      .flatMap((op: any) => op.parameters.filter((x: any) => x.in === 'header').map((x: any) => x.name));
    expect(headerParams).toContain('cloudfront-is-mobile-viewer');
    expect(headerParams).toContain('cloudfront-viewer-time-zone');
    expect(generateOpenApi(resolvedSample('config_simple.json'))).not.toHaveProperty('servers');
  });
});
