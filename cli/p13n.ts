#!/usr/bin/env node
/**
 * The `p13n` command's entry point, bundled by cli/build.mjs into `dist/p13n.mjs` (the package's bin)
 * when the project is installed, so the command runs compiled JavaScript, never the sources.
 */
import { main } from './main.ts';

// The SDK warns once per process that future releases will need Node 22; on Node 20 that is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await main(process.argv.slice(2));
