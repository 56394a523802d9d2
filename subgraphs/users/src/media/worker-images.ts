import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@chirp/platform';
import { ImageRejectedError, type ImageFacts, type ImageProcessor, type Rendition, type RenditionSize } from '../domain/images.js';

export type WorkerRequest =
  | { id: number; op: 'inspect'; bytes: Uint8Array }
  | { id: number; op: 'render'; bytes: Uint8Array; sizes: readonly RenditionSize[] };

export type WorkerAnswer =
  | { id: number; ok: true; result: ImageFacts | Rendition[] }
  | { id: number; ok: false; rejected: boolean; message: string };

/** Each kind of request, before it is numbered. */
type WithoutId<Request> = Request extends unknown ? Omit<Request, 'id'> : never;

/** The worker runs this much nicer than the service: the kernel gives the service's requests the cores first. */
const WORKER_NICENESS = 10;

/**
 * Images processed in a child process at a lower CPU priority. Decoding a
 * 12-megapixel photo takes a core for about a tenth of a second; in the
 * serving process that time is taken from the requests it answers (on a
 * two-core box, reads' p99 rose several times while uploads were
 * processed), while at a lower priority the kernel runs it when the service
 * has nothing to do. Buffers cross the channel as binary (advanced
 * serialization). The worker starts on first use and again if it dies; a
 * picture in flight when it dies is an error, not a refusal.
 */
export class WorkerImageProcessor implements ImageProcessor {
  private worker: ChildProcess | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }>();

  constructor(private readonly logger: Logger) {}

  async inspect(bytes: Buffer): Promise<ImageFacts> {
    return (await this.ask({ op: 'inspect', bytes })) as ImageFacts;
  }

  async render(bytes: Buffer, sizes: readonly RenditionSize[]): Promise<Rendition[]> {
    const renditions = (await this.ask({ op: 'render', bytes, sizes })) as Rendition[];
    return renditions.map((rendition) => ({ ...rendition, bytes: Buffer.from(rendition.bytes) }));
  }

  /** Stops the worker (the service is stopping). */
  close(): void {
    this.worker?.kill();
    this.worker = undefined;
  }

  private async ask(request: WithoutId<WorkerRequest>): Promise<ImageFacts | Rendition[]> {
    const id = (this.nextId += 1);
    const worker = this.started();
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.send({ ...request, id } as WorkerRequest, (error) => {
        if (error) this.settle(id, (waiting) => waiting.reject(error));
      });
    });
    if (answer.ok) return answer.result;
    throw answer.rejected ? new ImageRejectedError(answer.message) : new Error(`the image worker failed: ${answer.message}`);
  }

  private started(): ChildProcess {
    if (this.worker?.connected) return this.worker;
    const worker = fork(workerEntry(), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (worker.pid !== undefined) {
      try {
        os.setPriority(worker.pid, WORKER_NICENESS);
      } catch (error) {
        this.logger.warn({ err: error }, 'could not lower the image worker’s priority; it runs at the service’s');
      }
    }
    worker.on('message', (answer: WorkerAnswer) => this.settle(answer.id, (waiting) => waiting.resolve(answer)));
    worker.on('exit', (code, signal) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.pending.size > 0) this.logger.error({ code, signal, inFlight: this.pending.size }, 'the image worker stopped with pictures in flight');
      for (const id of [...this.pending.keys()]) this.settle(id, (waiting) => waiting.reject(new Error('the image worker stopped; try again')));
    });
    this.worker = worker;
    return worker;
  }

  private settle(id: number, done: (waiting: { resolve: (answer: WorkerAnswer) => void; reject: (error: Error) => void }) => void): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    done(waiting);
  }
}

/** The worker's built entry point; from the sources (tests run them), the build's copy beside them. */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? path.join(path.dirname(here), '../../dist/media/image-worker.js') : path.join(path.dirname(here), 'image-worker.js');
}
