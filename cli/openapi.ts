/** `p13n openapi FILE [--server URL]... [--auth None|ApiKey|OAuth2-Cognito]`: prints the OpenAPI document. */
import { parseArgs } from 'node:util';
import { AUTH_SCHEMES, type AuthScheme, isAuthScheme } from '../contracts/auth-schemes.ts';
import { generateOpenApi } from '../contracts/openapi/generate-openapi.ts';
import { ConfigFileError, loadConfigFile } from '../schema/validate-config.ts';

const HELP = `Usage: p13n openapi FILE [--server URL]... [--auth ${AUTH_SCHEMES.join('|')}]

Prints the OpenAPI 3 document of a configuration file to stdout.
  --server URL   a server URL to list (repeatable)
  --auth TYPE    authentication in front of the API (default None)
Exit status: 0 printed, 1 invalid configuration, 2 unreadable file or bad arguments.`;

export async function run(args: string[]): Promise<number> {
  let file: string;
  let servers: string[];
  let auth: AuthScheme;
  try {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        server: { type: 'string', multiple: true },
        auth: { type: 'string' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length !== 1 || !positionals[0]) throw new Error('expected exactly one FILE');
    const authArg = values.auth ?? 'None';
    if (!isAuthScheme(authArg)) throw new Error(`--auth must be one of ${AUTH_SCHEMES.join(', ')}`);
    file = positionals[0];
    servers = values.server ?? [];
    auth = authArg;
  } catch (err) {
    console.error(`p13n openapi: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }

  try {
    const result = await loadConfigFile(file);
    if (!result.ok) {
      for (const e of result.errors) console.error(`${e.path}: ${e.message}`);
      console.error(`${file}: invalid; fix it before generating the OpenAPI document`);
      return 1;
    }
    console.log(JSON.stringify(generateOpenApi(result.resolved, { servers, auth }), null, 2));
    return 0;
  } catch (err) {
    if (err instanceof ConfigFileError) {
      console.error(`p13n openapi: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
