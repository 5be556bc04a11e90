import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

const DG = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shop';

/** Amazon Personalize's JSON protocol, answering the calls the generator makes for one dataset group. */
const RESPONSES: Record<string, unknown> = {
  ListDatasetGroups: { datasetGroups: [{ name: 'shop', datasetGroupArn: DG, status: 'ACTIVE' }] },
  ListRecommenders: {
    recommenders: [
      {
        name: 'rfy',
        recommenderArn: 'arn:aws:personalize:us-east-1:123456789012:recommender/rfy',
        recipeArn: 'arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you',
        status: 'ACTIVE',
      },
    ],
  },
  ListSolutions: { solutions: [] },
  ListEventTrackers: { eventTrackers: [] },
  ListFilters: { Filters: [] },
};

let server: Server;
let endpoint: string;
const targets: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    targets.push(operation);
    req.resume();
    req.on('end', () => {
      const body = RESPONSES[operation];
      res.writeHead(body ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body ?? { __type: 'InvalidInputException', message: `unexpected ${operation}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const p13n = (...args: string[]) => runCli(args, { AWS_ENDPOINT_URL_PERSONALIZE: endpoint });

describe('p13n generate-config', () => {
  it('prints a valid configuration for the chosen dataset groups, reading Personalize at AWS_ENDPOINT_URL_PERSONALIZE', async () => {
    const run = await p13n('generate-config', '--dataset-groups', 'shop');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const config = JSON.parse(run.stdout);
    expect(config.namespaces.shop.recommenders['recommend-items'].rfy.variations.rfy).toEqual({
      type: 'personalize-recommender',
      arn: 'arn:aws:personalize:us-east-1:123456789012:recommender/rfy',
    });
    expect(targets).toContain('ListDatasetGroups');
  });

  it('exits 2 without --dataset-groups and 1 when a dataset group does not exist', async () => {
    expect(await p13n('generate-config')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--dataset-groups is required'),
    });
    expect(await p13n('generate-config', '--dataset-groups', 'missing')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('ValidationFailed: dataset groups not found: missing'),
    });
  });
});
