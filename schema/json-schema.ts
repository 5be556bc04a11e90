/**
 * The JSON Schema of the configuration, generated from the zod schema. Draft-04, because AppConfig's
 * JSON_SCHEMA validator speaks draft-04; editors read it through the configuration's `$schema`.
 */
import * as z from 'zod';
import { configSchema } from './config-schema.ts';

export const JSON_SCHEMA_FILE = new URL('./config.schema.json', import.meta.url);

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { target: 'draft-4', io: 'input', unrepresentable: 'throw' }),
    title: 'Personalization APIs configuration',
  };
}

/** The committed file's exact text. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
