/** `p13n validate FILE`: one summary line when valid, one line per problem (path: reason) when not. */
import { parseArgs } from 'node:util';
import { ACTIONS } from '../schema/config-schema.ts';
import { ConfigFileError, loadConfigFile } from '../schema/validate-config.ts';

const HELP = `Usage: p13n validate FILE

Checks a configuration file against the schema and the semantic rules.
Exit status: 0 valid, 1 invalid (one line per problem), 2 unreadable or not JSON.`;

export async function run(args: string[]): Promise<number> {
  let file: string | undefined;
  try {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('expected exactly one FILE');
    file = positionals[0];
  } catch (err) {
    console.error(`p13n validate: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!file) return 2;

  try {
    const result = await loadConfigFile(file);
    for (const w of result.warnings) console.error(`warning ${w.path}: ${w.message}`);
    if (!result.ok) {
      for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
      console.error(`${file}: invalid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'})`);
      return 1;
    }
    const { resolved } = result;
    let recommenders = 0;
    let variations = 0;
    let targets = 0;
    for (const ns of resolved.namespaces.values()) {
      targets += ns.eventTargets.length;
      for (const action of ACTIONS) {
        for (const rec of ns.recommenders[action].values()) {
          recommenders++;
          variations += rec.variations.size;
        }
      }
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    console.log(
      `${file}: valid (version ${resolved.version || '(none)'}; ${plural(resolved.namespaces.size, 'namespace')}, ` +
        `${plural(recommenders, 'recommender')}, ${plural(variations, 'variation')}, ${plural(targets, 'event target')})`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigFileError) {
      console.error(`p13n validate: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
