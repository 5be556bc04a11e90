/**
 * One way to build every Node.js Lambda function of the system: Node.js 24 on x86_64 (the platform
 * of the native prebuilds we ship), an ESM bundle made by esbuild from the TypeScript source (no
 * Docker; split into chunks where the cold start matters), the AWS SDK bundled at the exact versions
 * the tests ran, source maps, a log group with a retention, X-Ray tracing for Powertools, and a role
 * of its own that may write to that log group only (no AWS-managed policy).
 */
import { Duration, RemovalPolicy, type Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';
import { NATIVE_MODULES, nativeModuleHooks } from '../bundling/native-modules.ts';
import { splitBundle } from '../bundling/split-bundle.ts';
import { LOCK_FILE, PROJECT_ROOT } from '../paths.ts';

/** The esbuild target matching the Lambda runtime (`nodejs24.x`). */
export const LAMBDA_NODE_TARGET = 'node24';

/** Lets CommonJS dependencies that call require() or read __dirname run inside the ESM bundle. */
const ESM_BANNER =
  "import { createRequire as __p13nCreateRequire } from 'node:module';" +
  'const require = __p13nCreateRequire(import.meta.url);' +
  'const __filename = import.meta.filename;' +
  'const __dirname = import.meta.dirname;';

/** ES modules first: the AWS SDK's tree-shake far better than their CommonJS builds. */
const MAIN_FIELDS = ['module', 'main'];

export interface NodeFunctionProps {
  /** The TypeScript file exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** The function loads `lmdb`: keep it external and ship its Linux x64 prebuilds (default false). */
  readonly native?: boolean;
  /**
   * Bundle with code splitting (infra/bundling/split-bundle.ts): what the entry reaches only through
   * `import()` loads on first use instead of in the init phase (default false).
   */
  readonly splitting?: boolean;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly ephemeralStorageSize?: Size;
  /** Why the function's own statements (beyond X-Ray) need `*` resources, when they do. */
  readonly wildcardResourceReason?: string;
}

/**
 * @example
 * const fn = createNodeFunction(this, 'ConfigValidator', {
 *   entry: controlPlaneEntry('config-validator'), description: 'AppConfig validator' });
 */
export function createNodeFunction(scope: Construct, id: string, props: NodeFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  const externalModules = props.native ? [...NATIVE_MODULES] : [];
  const commandHooks = props.native ? nativeModuleHooks(['lmdb'], PROJECT_ROOT) : undefined;
  const code = props.splitting
    ? {
        handler: 'index.handler',
        code: splitBundle({
          entry: props.entry,
          projectRoot: PROJECT_ROOT,
          target: LAMBDA_NODE_TARGET,
          mainFields: MAIN_FIELDS,
          banner: ESM_BANNER,
          external: externalModules,
          afterBundling: commandHooks && ((outputDir) => commandHooks.afterBundling(PROJECT_ROOT, outputDir)),
        }),
      }
    : {
        entry: props.entry,
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: LOCK_FILE,
        bundling: {
          format: OutputFormat.ESM,
          target: LAMBDA_NODE_TARGET,
          mainFields: MAIN_FIELDS,
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          bundleAwsSDK: true,
          banner: ESM_BANNER,
          externalModules,
          commandHooks,
        },
      };
  const fn = new NodejsFunction(scope, id, {
    ...code,
    description: props.description,
    runtime: Runtime.NODEJS_24_X,
    role,
    architecture: Architecture.X86_64,
    timeout: props.timeout ?? Duration.seconds(60),
    memorySize: props.memorySize ?? 512,
    ephemeralStorageSize: props.ephemeralStorageSize,
    tracing: Tracing.ACTIVE,
    logGroup,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
  });
  acknowledge(role, {
    'AwsSolutions-IAM5[Resource::*]':
      'Only the X-Ray actions of active tracing (PutTraceSegments, PutTelemetryRecords) are granted on *: ' +
      'X-Ray has no resource-level permissions. ' +
      (props.wildcardResourceReason ?? 'test/infra/expectations.ts asserts nothing else is.'),
  });
  return fn;
}
