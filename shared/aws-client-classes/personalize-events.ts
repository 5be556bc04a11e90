// Only the client class: aws-clients.ts imports this module, not the package, so esbuild drops the commands nobody sends.
export { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
