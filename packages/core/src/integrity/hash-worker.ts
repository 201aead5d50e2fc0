import { parentPort } from 'node:worker_threads';
import type { FromWorkerMessage, ToWorkerMessage } from './hash-worker-protocol.js';
import { readAndHash } from './read-and-hash.js';

// Entry point of a hash worker thread (started by `createHashPool` from the compiled
// `dist/integrity/hash-worker.js`). One job at a time; the pool never sends a second one early.

const port = parentPort;
if (port === null) throw new Error('hash-worker.js must run as a worker thread');

const stopped = new Set<number>();
const abortMarker = { aborted: true };

const send = (message: FromWorkerMessage) => port.postMessage(message);
// One read buffer for every job of this worker: jobs run one at a time.
let buffer: Buffer | undefined;

port.on('message', (message: ToWorkerMessage) => {
  if (message.type === 'abort') {
    stopped.add(message.jobId);
    return;
  }
  const { jobId, path, algorithm, chunkSizeInBytes, progressIntervalInBytes } = message;
  let reportedAt = 0;
  if (buffer === undefined || buffer.length < chunkSizeInBytes)
    buffer = Buffer.allocUnsafe(chunkSizeInBytes);
  readAndHash(path, algorithm, {
    chunkSizeInBytes,
    buffer,
    shouldStop: () => (stopped.has(jobId) ? abortMarker : undefined),
    onProgress: (bytesDone) => {
      if (bytesDone - reportedAt >= progressIntervalInBytes) {
        reportedAt = bytesDone;
        send({ type: 'progress', jobId, bytesDone });
      }
    },
  }).then(
    ({ digest, sizeInBytes }) => {
      stopped.delete(jobId);
      send({ type: 'done', jobId, digest, sizeInBytes });
    },
    (error: unknown) => {
      if (error === abortMarker || stopped.delete(jobId)) {
        send({ type: 'aborted', jobId });
        return;
      }
      const fileError = error as NodeJS.ErrnoException;
      send({
        type: 'failed',
        jobId,
        error: {
          message: String(fileError?.message ?? error),
          ...(fileError?.code === undefined ? {} : { code: fileError.code }),
          ...(fileError?.syscall === undefined ? {} : { syscall: fileError.syscall }),
        },
      });
    },
  );
});
