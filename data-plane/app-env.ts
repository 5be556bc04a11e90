/**
 * The Hono environment every route of the app shares: handlers read the configuration snapshot of their
 * request with `c.get('config')` and its deadline with `c.get('deadline')`. Its own module so routes and the app import it without importing each other.
 */
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import type { Deadline } from './deadline.ts';

/** `config`: the configuration snapshot of the request; `deadline`: its one deadline (deadline.ts). */
export type AppEnv = { Variables: { config: ResolvedConfig; deadline: Deadline } };

export const CONFIG_VERSION_HEADER = 'X-Personalization-Config-Version';
