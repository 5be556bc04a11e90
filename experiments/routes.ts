/**
 * The experiments routes `p13n serve` mounts: `GET /experiments/{namespace}` answers the namespace's
 * readout as JSON (from the records its `file` event targets wrote), `GET /experiments` the dashboard
 * page, `GET /experiments/assets/…` uPlot's files from the installed package. Readouts are computed
 * per request and never cached, so the page shows the file as it is now.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../data-plane/app-env.ts';
import { NotFoundError } from '../data-plane/errors.ts';
import { dashboardPage } from './dashboard-page.ts';
import { fileReadout } from './report.ts';

const ASSETS: Record<string, string> = {
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

const uplotDist = () => join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/**
 * @example
 * app.route('/', experimentsRoutes({ clock: Date.now }));
 */
export function experimentsRoutes(options: { clock: () => number }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const assets = new Map<string, Promise<Buffer>>();

  routes.get('/experiments', (c) => {
    const namespaces = [...c.get('config').namespaces.keys()];
    const asked = c.req.query('namespace');
    if (asked !== undefined && !namespaces.includes(asked)) {
      throw new NotFoundError('NamespaceNotFound', `namespace '${asked}' is not configured`);
    }
    c.header('Cache-Control', 'no-store');
    return c.html(dashboardPage({ namespaces, current: asked ?? namespaces[0] }));
  });

  routes.get('/experiments/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) throw new NotFoundError('NotFound', `no asset ${name}`);
    let file = assets.get(name);
    if (!file) {
      file = readFile(join(uplotDist(), name));
      assets.set(name, file);
    }
    return c.body(new Uint8Array(await file), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });

  routes.get('/experiments/:namespace', async (c) => {
    const namespace = c.req.param('namespace');
    const config = c.get('config');
    if (!config.namespaces.has(namespace)) {
      throw new NotFoundError('NamespaceNotFound', `namespace '${namespace}' is not configured`);
    }
    c.header('Cache-Control', 'no-store');
    return c.json(await fileReadout(config, { namespace, now: new Date(options.clock()) }));
  });

  return routes;
}
