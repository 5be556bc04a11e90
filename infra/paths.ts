/**
 * Where the sources the app deploys live, resolved from this file so synth works from any working
 * directory.
 */
import { fileURLToPath } from 'node:url';

/** The repository root (holds package.json and package-lock.json). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const at = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

export const DATA_PLANE_ENTRY = at('data-plane/lambda.ts');
export const LOCK_FILE = at('package-lock.json');
export const CONFIG_JSON_SCHEMA = at('schema/config.schema.json');
export const SYNC_RESOURCES_ASL = at('state-machines/sync-resources.asl.json');
export const LOAD_ITEM_METADATA_ASL = at('state-machines/load-item-metadata.asl.json');
export const SWAGGER_UI_DIST = at('node_modules/swagger-ui-dist');

/** The entry of a control-plane handler, e.g. `controlPlaneEntry('config-validator')`. */
export function controlPlaneEntry(name: string): string {
  return at(`control-plane/${name}/handler.ts`);
}

export const CONNECTORS_ASL = at('state-machines/connectors.asl.json');

/** The entry of a connectors Lambda, e.g. `connectorsEntry('process-batch')`. */
export function connectorsEntry(name: string): string {
  return at(`connectors/handlers/${name}.ts`);
}
