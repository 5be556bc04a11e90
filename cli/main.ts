/**
 * `p13n` command dispatcher. Each command lives in its own module, loaded only when it runs, and
 * returns its exit code.
 */

type Command = { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'serve [--config FILE] [--port N] [--host H]   serve the APIs on Node (default port 8080)',
    load: () => import('./serve.ts'),
  },
  validate: {
    summary: 'validate FILE            check a configuration (exit 0 valid, 1 invalid, 2 unreadable)',
    load: () => import('./validate.ts'),
  },
  'import-items': {
    summary: 'import-items --config FILE --namespace NS --file ITEMS   load item metadata (JSON lines, gzip ok)',
    load: () => import('./import-items.ts'),
  },
  openapi: {
    summary: 'openapi FILE [--server URL]... [--auth TYPE]  print the OpenAPI document',
    load: () => import('./openapi.ts'),
  },
  experiments: {
    summary: 'experiments report [--events FILE] [--json]   per-variation readout of the configured experiments',
    load: () => import('./experiments.ts'),
  },
  'generate-config': {
    summary: 'generate-config --dataset-groups all|a,b  print a configuration built from Amazon Personalize',
    load: () => import('./generate-config.ts'),
  },
  connectors: {
    summary: 'connectors validate|run|start …   batch connectors: Personalize batch output → Braze / webhook',
    load: () => import('./connectors.ts'),
  },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  p13n ${c.summary}`);
  return ['Usage:', ...lines, '', 'Run `p13n <command> --help` for the options of a command.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`p13n: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const { run } = await command.load();
  return run(args);
}
