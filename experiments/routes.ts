/**
 * The experiments routes `p13n serve` mounts: `GET /experiments/{namespace}` answers the namespace's
 * readout as JSON (from the records its `file` event targets wrote), `GET /experiments` the dashboard
 * page, `GET /experiments/assets/…` uPlot's files from the installed package. A readout is computed
 * again only when one of the namespace's event files changed size or modification time (or the
 * configuration changed), so a page polling an unchanged file does not re-parse it. One readout reads
 * at most `maxEventsBytes` (default 32 MiB) of event files: larger files get a 413 pointing at
 * `p13n experiments report` (no bound) or Athena, rather than a request that parses without end.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../data-plane/app-env.ts';
import { ApiError, NotFoundError } from '../data-plane/errors.ts';
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { dashboardPage } from './dashboard-page.ts';
import type { Readout } from './readout.ts';
import { eventFilesOf, fileReadout } from './report.ts';

/** Event-file bytes one readout of the page reads at most. */
export const DEFAULT_MAX_EVENTS_BYTES = 32 * 1024 * 1024;

/** 413: the namespace's event files are larger than the page reads. */
export class EventsFilesTooLargeError extends ApiError {
  override name = 'EventsFilesTooLargeError';
  constructor(bytes: number, limitBytes: number) {
    super(
      413,
      'ClientError',
      'EventsFilesTooLarge',
      `the namespace's event files hold ${bytes} bytes, more than the ${limitBytes} this page reads; use npx p13n experiments report (or Athena) for this readout`,
    );
  }
}

export interface ExperimentsRoutesOptions {
  /** Epoch milliseconds. */
  clock: () => number;
  /** Event-file bytes one readout reads at most (default DEFAULT_MAX_EVENTS_BYTES). */
  maxEventsBytes?: number;
}

interface CachedReadout {
  /** Each file's path, size and modification time when the readout was computed. */
  signature: string;
  readout: Promise<Readout>;
}

/** Size and mtime of each file (a missing one as `-`): what a cached readout is valid for. */
async function filesSignature(files: readonly string[]): Promise<{ signature: string; bytes: number }> {
  let bytes = 0;
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const s = await stat(file);
        bytes += s.size;
        return `${file}\u0000${s.size}\u0000${s.mtimeMs}`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${file}\u0000-`;
        throw err;
      }
    }),
  );
  return { signature: parts.join('\u0001'), bytes };
}

const ASSETS: Record<string, string> = {
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

const uplotDist = () => join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

/**
 * @example
 * app.route('/', experimentsRoutes({ clock: Date.now }));
 */
export function experimentsRoutes(options: ExperimentsRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const assets = new Map<string, Promise<Buffer>>();
  const maxBytes = options.maxEventsBytes ?? DEFAULT_MAX_EVENTS_BYTES;
  // One readout per configured namespace, dropped with its configuration.
  const readouts = new WeakMap<ResolvedConfig, Map<string, CachedReadout>>();

  routes.get('/experiments', (c) => {
    const namespaces = [...c.get('config').namespaces.keys()];
    const asked = c.req.query('namespace');
    if (asked !== undefined && !namespaces.includes(asked)) {
      throw new NotFoundError('NamespaceNotFound', `namespace '${asked}' is not configured`);
    }
    c.header('Cache-Control', 'no-store');
    return c.html(dashboardPage({ namespaces, current: asked ?? namespaces[0] }));
  });

  // `/experiments/assets/:name` beside `/experiments/:namespace` is a pair Hono's RegExpRouter refuses
  // (a fixed segment where the other has a parameter), and one refused route puts the whole app on its
  // TrieRouter, about 1 µs slower per request; two parameters are a path of their own.
  routes.get('/experiments/:dir/:name', async (c) => {
    if (c.req.param('dir') !== 'assets') return c.notFound();
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
    const files = eventFilesOf(config, namespace);
    const { signature, bytes } = await filesSignature(files);
    if (bytes > maxBytes) throw new EventsFilesTooLargeError(bytes, maxBytes);
    let byNamespace = readouts.get(config);
    if (!byNamespace) {
      byNamespace = new Map();
      readouts.set(config, byNamespace);
    }
    let cached = byNamespace.get(namespace);
    if (cached?.signature !== signature) {
      const readout = fileReadout(config, {
        namespace,
        files,
        now: new Date(options.clock()),
        maxBytesPerFile: maxBytes,
      });
      cached = { signature, readout };
      byNamespace.set(namespace, cached);
      readout.catch(() => {
        if (byNamespace.get(namespace) === cached) byNamespace.delete(namespace);
      });
    }
    return c.json(await cached.readout);
  });

  return routes;
}
