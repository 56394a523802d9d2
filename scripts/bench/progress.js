// A one-line progress display for the bulk load: per task done/total, the
// overall rate and an estimate of the time left. Redrawn in place on a
// terminal, printed every few seconds otherwise (CI logs stay short).

/**
 * @typedef {{ name: string, total: number, done: number }} Task
 */

export class Progress {
  /**
   * @param {string} title
   * @param {{ intervalMs?: number, stream?: NodeJS.WriteStream }} [options]
   */
  constructor(title, { intervalMs, stream = process.stderr } = {}) {
    this.title = title;
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
    /** @type {Map<string, Task>} */
    this.tasks = new Map();
    this.started = Date.now();
    this.timer = setInterval(() => this.draw(), intervalMs ?? (this.tty ? 250 : 5000));
    this.timer.unref();
  }

  /** @param {string} name @param {number} total */
  add(name, total) {
    this.tasks.set(name, { name, total, done: 0 });
  }

  /** @param {string} name @param {number} count */
  advance(name, count) {
    const task = this.tasks.get(name);
    if (task) task.done += count;
  }

  line() {
    const tasks = [...this.tasks.values()];
    const done = tasks.reduce((sum, t) => sum + t.done, 0);
    const total = tasks.reduce((sum, t) => sum + t.total, 0);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const parts = tasks.map((t) => `${t.name} ${Math.floor((100 * t.done) / Math.max(t.total, 1))}%`);
    return `${this.title}: ${parts.join(' · ')} | ${formatCount(done)}/${formatCount(total)} at ${formatCount(rate)}/s, ${seconds.toFixed(0)}s elapsed, ~${eta}s left`;
  }

  draw() {
    if (this.tty) this.stream.write(`\r\x1b[2K${this.line()}`);
    else this.stream.write(`${this.line()}\n`);
  }

  /** Stops redrawing and prints the final line; returns the elapsed seconds. */
  finish() {
    clearInterval(this.timer);
    this.draw();
    if (this.tty) this.stream.write('\n');
    return (Date.now() - this.started) / 1000;
  }
}

/** 1234567 → "1.23M". @param {number} n */
export function formatCount(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(Math.round(n));
}
