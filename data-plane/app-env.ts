/**
 * The Hono environment every route of the app shares: handlers read the configuration snapshot of their
 * request with `c.get('config')`. Its own module so routes and the app import it without importing each other.
 */
import type { ResolvedConfig } from '../schema/resolve-config.ts';

export type AppEnv = { Variables: { config: ResolvedConfig } };

export const CONFIG_VERSION_HEADER = 'X-Personalization-Config-Version';
