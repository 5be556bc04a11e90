/** A LineSink over a file that waits for the stream to drain, so a fast producer never buffers a whole run. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { LineSink } from './pipeline.ts';

export interface FileSink extends LineSink {
  readonly path: string;
  /** Bytes written (counted by the stream: measuring each string again cost a tenth of a large run). */
  readonly bytes: number;
  close(): Promise<void>;
}

/** Bytes the stream buffers before `write` waits for it to drain: few, large writes. */
const HIGH_WATER_MARK = 1 << 20;

export function createFileSink(path: string): FileSink {
  const stream = createWriteStream(path, { highWaterMark: HIGH_WATER_MARK });
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  return {
    path,
    get bytes() {
      return stream.bytesWritten + stream.writableLength;
    },
    async write(text) {
      if (failure) throw failure;
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
