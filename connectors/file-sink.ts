/** A LineSink over a file that waits for the stream to drain, so a fast producer never buffers a whole run. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { LineSink } from './pipeline.ts';

export interface FileSink extends LineSink {
  readonly path: string;
  /** Bytes written. */
  readonly bytes: number;
  close(): Promise<void>;
}

export function createFileSink(path: string): FileSink {
  const stream = createWriteStream(path);
  let bytes = 0;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  return {
    path,
    get bytes() {
      return bytes;
    },
    async write(text) {
      if (failure) throw failure;
      bytes += Buffer.byteLength(text);
      if (!stream.write(text)) await once(stream, 'drain');
    },
    close() {
      closing ??= (async () => {
        if (failure) throw failure;
        stream.end();
        await once(stream, 'finish');
      })();
      return closing;
    },
  };
}
