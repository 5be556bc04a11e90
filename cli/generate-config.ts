/** `p13n generate-config --dataset-groups all|a,b`: prints a configuration built from Amazon Personalize resources. */
import { parseArgs } from 'node:util';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { datasetGroupSelection } from '../control-plane/generate-config/custom-resource-event.ts';
import { generateConfig } from '../control-plane/generate-config/generate-config.ts';
import { boundedClientConfig } from '../shared/bounded-client-config.ts';

const HELP = `Usage: p13n generate-config --dataset-groups all|NAME[,NAME...]

Prints a starting configuration built from the recommenders, campaigns, event trackers and filters
of Amazon Personalize dataset groups (names or ARNs), using the usual AWS credentials and region.
Exit status: 0 printed, 1 Personalize could not be read, 2 bad arguments.`;

export async function run(args: string[]): Promise<number> {
  let selection: 'all' | string[] | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, 'dataset-groups': { type: 'string' } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'`);
    selection = datasetGroupSelection(values['dataset-groups']);
    if (!selection) throw new Error('--dataset-groups is required (all, or names separated by commas)');
  } catch (err) {
    console.error(`p13n generate-config: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }

  const personalize = new PersonalizeClient(boundedClientConfig());
  try {
    const { config, skipped } = await generateConfig({ personalize, datasetGroups: selection });
    for (const s of skipped) console.error(`skipped ${s.arn}: ${s.reason}`);
    console.log(JSON.stringify(config, null, 2));
    return 0;
  } catch (err) {
    console.error(`p13n generate-config: ${(err as Error).name}: ${(err as Error).message}`);
    return 1;
  } finally {
    personalize.destroy();
  }
}
