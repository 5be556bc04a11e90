import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from '../../schema/json-schema.ts';

describe('committed JSON Schema', () => {
  it('matches the zod schema (run `npm run gen` when this fails)', async () => {
    expect(await readFile(JSON_SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  it('is draft-04 with shared definitions, as AppConfig JSON_SCHEMA validators expect', () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(Object.keys(schema.definitions)).toEqual(
      expect.arrayContaining(['namespace', 'recommender', 'variation', 'eventTarget', 'cacheControl', 'autoContext']),
    );
    expect(schema.required).toEqual(['namespaces']);
  });
});
