/** `npm run gen`: writes schema/config.schema.json from the zod schema. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from './json-schema.ts';

await writeFile(JSON_SCHEMA_FILE, configJsonSchemaText());
console.log(`wrote ${fileURLToPath(JSON_SCHEMA_FILE)}`);
