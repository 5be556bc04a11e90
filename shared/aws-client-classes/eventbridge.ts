// Only the client class: aws-clients.ts imports this module, not the package, so esbuild drops the commands nobody sends.
export { EventBridgeClient } from '@aws-sdk/client-eventbridge';
