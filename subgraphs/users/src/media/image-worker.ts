/**
 * The image worker's process (see WorkerImageProcessor): runs the sharp
 * processor on what its parent sends, one picture at a time, and answers
 * each message with its result or the reason it was refused.
 */
import { ImageRejectedError } from '../domain/images.js';
import { SharpImageProcessor } from './sharp-images.js';
import type { WorkerAnswer, WorkerRequest } from './worker-images.js';

const images = new SharpImageProcessor();

process.on('message', (request: WorkerRequest) => {
  void answer(request).then((reply) => process.send?.(reply));
});
// The parent gone, nothing is left to do.
process.on('disconnect', () => process.exit(0));

async function answer(request: WorkerRequest): Promise<WorkerAnswer> {
  try {
    const bytes = Buffer.from(request.bytes);
    const result = request.op === 'inspect' ? await images.inspect(bytes) : await images.render(bytes, request.sizes);
    return { id: request.id, ok: true, result };
  } catch (error) {
    const rejected = error instanceof ImageRejectedError;
    return { id: request.id, ok: false, rejected, message: error instanceof Error ? error.message : String(error) };
  }
}
