import { RegExpRouter } from 'hono/router/reg-exp-router';
import { describe, expect, it } from 'vitest';
import { staticConfigProvider } from '../../data-plane/config/static-provider.ts';
import { readDataPlaneEnv } from '../../data-plane/env.ts';
import { wireDataPlane } from '../../data-plane/wiring.ts';
import { experimentsRoutes } from '../../experiments/routes.ts';
import { silentLogger } from '../../shared/logger.ts';

describe('the routes p13n serve mounts', () => {
  it("are all ones Hono's RegExpRouter takes, so the app does not fall back to its slower TrieRouter", () => {
    const config = staticConfigProvider({ version: '1', namespaces: {} });
    // Everything serve mounts: the data plane, the docs, the experiments pages, the Personalize-compatible API.
    const { app } = wireDataPlane({
      env: readDataPlaneEnv({ P13N_SIGV4_CREDENTIALS: 'AKIDEXAMPLE:secret' }),
      config,
      logger: silentLogger,
      docs: true,
      routes: [experimentsRoutes({ clock: Date.now })],
    });
    const router = new RegExpRouter<null>();
    for (const route of app.routes) router.add(route.method, route.path, null);
    expect(() => router.match('GET', '/recommend-items/shop/for-you/u1')).not.toThrow();
    expect(app.routes.map((route) => route.path)).toContain('/experiments/:namespace');
  });
});
