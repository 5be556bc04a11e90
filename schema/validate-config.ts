/**
 * The one entry point for checking a configuration: shape (zod), then semantics, then resolution.
 * Used by `p13n validate`, the config providers, the AppConfig validator Lambda and the tests.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Config, configSchema } from './config-schema.ts';
import { type ResolvedConfig, type ResolveOptions, resolveConfig } from './resolve-config.ts';
import { type PathSegment, semanticChecks } from './semantic-checks.ts';

export interface ValidationIssue {
  /** JSONPath-like location, e.g. `$.namespaces.my-store.recommenders.recommend-items.rfy.variations.v1.arn`. */
  path: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; config: Config; resolved: ResolvedConfig; warnings: ValidationIssue[] }
  | { ok: false; errors: ValidationIssue[]; warnings: ValidationIssue[] };

/** Formats a path the way users read it: `$.a.b[0]["key with.dots"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z0-9_$-]+$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

const toIssues = (issues: { path: readonly PathSegment[] | readonly PropertyKey[]; message: string }[]) =>
  issues.map((i) => ({ path: formatPath(i.path), message: i.message }));

/**
 * Validates a parsed configuration.
 *
 * @example
 * const result = validateConfig(JSON.parse(text), { baseDir: '/srv/config' });
 * if (!result.ok) for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
 */
export function validateConfig(input: unknown, options: ResolveOptions = {}): ValidationResult {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    // A bad record key is reported as "Invalid key in record" with the reason nested; surface the reason.
    const issues = parsed.error.issues.map((i) =>
      i.code === 'invalid_key' && i.issues[0] ? { path: i.path, message: `key: ${i.issues[0].message}` } : i,
    );
    return { ok: false, errors: toIssues(issues), warnings: [] };
  }
  const report = semanticChecks(parsed.data);
  const warnings = toIssues(report.warnings);
  if (report.errors.length > 0) return { ok: false, errors: toIssues(report.errors), warnings };
  return { ok: true, config: parsed.data, resolved: resolveConfig(parsed.data, options), warnings };
}

/** Parses and validates configuration text; a JSON syntax error is reported at `$`. */
export function validateConfigText(text: string, options: ResolveOptions = {}): ValidationResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      errors: [{ path: '$', message: `not valid JSON: ${(err as Error).message}` }],
      warnings: [],
    };
  }
  return validateConfig(json, options);
}

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/**
 * Reads and validates a configuration file; relative paths inside it resolve against its folder.
 * Throws ConfigFileError when the file cannot be read or is not JSON; returns the validation result otherwise.
 */
export async function loadConfigFile(file: string): Promise<ValidationResult> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateConfig(json, { baseDir: dirname(path) });
}
