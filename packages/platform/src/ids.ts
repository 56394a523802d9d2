import { randomInt } from 'node:crypto';

/**
 * Time-ordered 64-bit ids in the Snowflake layout: 41 bits of milliseconds
 * since Twitter's epoch, 10 bits of node, 12 bits of sequence. Written as
 * decimal strings, they all have 19 digits from 2014 until 2080, so string
 * order is time order. The node number is drawn at random per process, which
 * makes a clash between instances possible but vanishingly rare; stores keep
 * a unique index on ids and retry on the rare clash.
 */
const EPOCH_MS = 1288834974657n;
const NODE_BITS = 10n;
const SEQUENCE_BITS = 12n;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;

export class IdGenerator {
  private lastMs = 0;
  private sequence = 0;

  constructor(private readonly node: number = randomInt(1 << Number(NODE_BITS))) {}

  next(): string {
    let now = Math.max(Date.now(), this.lastMs); // never step back with the wall clock
    if (now === this.lastMs) {
      this.sequence = (this.sequence + 1) & MAX_SEQUENCE;
      if (this.sequence === 0) now = this.waitForNextMillisecond(now);
    } else {
      this.sequence = 0;
    }
    this.lastMs = now;
    const id = ((BigInt(now) - EPOCH_MS) << (NODE_BITS + SEQUENCE_BITS)) | (BigInt(this.node) << SEQUENCE_BITS) | BigInt(this.sequence);
    return id.toString();
  }

  private waitForNextMillisecond(current: number): number {
    let now = Date.now();
    while (now <= current) now = Date.now();
    return now;
  }
}

/**
 * Whether a string can be an id this service made (decimal, at most 20
 * digits: 2^64 has 20). Anything else names nothing, and is answered as
 * not found before any store or cache is asked about it.
 */
export function isWellFormedId(id: string): boolean {
  return id.length <= 20 && /^[0-9]+$/.test(id);
}

/** When an id was made. */
export function timeOfId(id: string): Date {
  return new Date(Number((BigInt(id) >> (NODE_BITS + SEQUENCE_BITS)) + EPOCH_MS));
}

const defaultGenerator = new IdGenerator();
export const newId = (): string => defaultGenerator.next();

/**
 * Whether id `a` is newer than id `b`. Ids of one length compare as text;
 * a shorter one (such as a "0" marker) is older than any real id.
 */
export function isNewerId(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}
