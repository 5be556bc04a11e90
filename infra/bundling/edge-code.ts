/**
 * Lambda@Edge functions take no environment variables, so the edge-auth handler reads its Cognito
 * settings from `process.env.P13N_COGNITO_*` expressions that the bundle replaces with literals.
 * The values are CloudFormation tokens at synth time (the pool is created in the same deployment),
 * so the bundle is built with unique placeholders and deployed as inline code in which each
 * placeholder becomes the token: CloudFormation writes the real IDs into the code it deploys.
 */
import { buildSync } from 'esbuild';

/** The settings the edge-auth handler reads, by environment variable. */
export interface EdgeAuthValues {
  readonly P13N_COGNITO_USER_POOL_ID: string;
  readonly P13N_COGNITO_CLIENT_ID: string;
  readonly P13N_COGNITO_REGION: string;
}

const NAMES = ['P13N_COGNITO_USER_POOL_ID', 'P13N_COGNITO_CLIENT_ID', 'P13N_COGNITO_REGION'] as const;
const placeholder = (name: string) => `@@${name}@@`;

/** Lambda@Edge viewer-request functions are limited to 1 MB. */
const MAX_VIEWER_REQUEST_CODE = 1_048_576;

const bundles = new Map<string, string>();

/** The entry bundled once per process as a CommonJS `index.js` for inline deployment. */
function bundle(entry: string): string {
  const cached = bundles.get(entry);
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: Object.fromEntries(NAMES.map((name) => [`process.env.${name}`, JSON.stringify(placeholder(name))])),
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  for (const name of NAMES) {
    if (!text.includes(placeholder(name))) {
      throw new Error(`${entry} never reads process.env.${name}; the edge bundle could not be configured`);
    }
  }
  if (Buffer.byteLength(text) > MAX_VIEWER_REQUEST_CODE) {
    throw new Error(`The edge-auth bundle is ${Buffer.byteLength(text)} bytes; viewer-request functions allow 1 MB`);
  }
  bundles.set(entry, text);
  return text;
}

/**
 * The edge handler's code with its settings written in; values may be tokens.
 *
 * @example
 * Code.fromInline(edgeCode(controlPlaneEntry('edge-auth'), { P13N_COGNITO_USER_POOL_ID: pool.userPoolId, ... }))
 */
export function edgeCode(entry: string, values: EdgeAuthValues): string {
  let code = bundle(entry);
  for (const name of NAMES) code = code.split(placeholder(name)).join(values[name]);
  return code;
}
