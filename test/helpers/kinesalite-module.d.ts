/** kinesalite ships no types; this declares the part the test helpers use. */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
  }

  function kinesalite(options?: KinesaliteOptions): Server;
  export default kinesalite;
}
