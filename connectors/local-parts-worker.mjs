// Worker-thread entry of a local run's share (see local-parts.ts). Worker threads do not inherit the
// TypeScript loader of the thread that starts them, so this plain module registers tsx first.
import { register } from 'tsx/esm/api';

register();
await import('./local-parts-worker.ts');
