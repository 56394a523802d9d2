// CPU time of whole process trees, read from /proc (Linux), for processes
// the bench cannot ask over IPC: the servers it started (Redis, Kafka,
// FerretDB, PostgreSQL with the backends it forks), and the stack's own
// processes counted with any children they fork (node:cluster workers, once
// the stack has a WORKERS setting: a primary's process.cpuUsage() leaves
// its workers out).
//
// A tree's CPU is the sum, over its live processes, of utime + stime +
// cutime + cstime: a process that exits and is reaped moves its time into
// its parent's cutime/cstime, so nothing is lost or counted twice.

import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux build Node runs on (`getconf CLK_TCK`). */
const TICK_MS = 10;

/** What the servers' programs are called (/proc/<pid>/comm), for the report. */
const SERVER_NAMES = { 'redis-server': 'redis', java: 'kafka', ferretdb: 'ferretdb', postgres: 'postgresql' };

/** @typedef {{ ppid: number, comm: string, ticks: number }} ProcEntry */

/**
 * Every process on the box, by PID, with its parent and its CPU so far
 * (its own and its reaped children's), or null when there is no /proc.
 *
 * @returns {Map<number, ProcEntry> | null}
 */
function readProcesses() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return null;
  }
  /** @type {Map<number, ProcEntry>} */
  const table = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The name sits in parentheses and may itself hold spaces or parentheses: split after the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is field 3 of proc(5): ppid is 4, utime..cstime are 14..17.
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      table.set(pid, { ppid: Number(fields[1]), comm, ticks });
    } catch {
      // gone between the listing and the read
    }
  }
  return table;
}

/**
 * CPU ticks of `root` and all its live descendants.
 *
 * @param {Map<number, ProcEntry>} table @param {number} root
 */
function treeTicks(table, root) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const [pid, entry] of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(pid);
    else children.set(entry.ppid, [pid]);
  }
  let ticks = 0;
  const pending = [root];
  while (pending.length > 0) {
    const pid = /** @type {number} */ (pending.pop());
    const entry = table.get(pid);
    if (!entry) continue;
    ticks += entry.ticks;
    pending.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

/**
 * The servers this process started (scripts/servers spawns them as its
 * direct children, under `setpriv`, which execs them with the same PID), by
 * name: every child but the bench's own Node processes. Empty without /proc
 * or when the servers were given in the environment.
 *
 * @param {number[]} ownPids  the bench's Node children (the stack, the bare handler, ...)
 * @returns {Record<string, number>}
 */
export function findServerPids(ownPids) {
  const table = readProcesses();
  if (!table) return {};
  /** @type {Record<string, number>} */
  const servers = {};
  for (const [pid, entry] of table) {
    if (entry.ppid !== process.pid || ownPids.includes(pid) || entry.comm === 'node') continue;
    const name = SERVER_NAMES[/** @type {keyof typeof SERVER_NAMES} */ (entry.comm)] ?? entry.comm;
    servers[servers[name] ? `${name}-${pid}` : name] = pid;
  }
  return servers;
}

/**
 * A meter of several process trees' CPU: `take()` gives each tree's CPU
 * milliseconds since the previous take (or since the meter was made).
 * A tree whose root has gone reads as null.
 *
 * @param {Record<string, number>} roots  name → PID
 */
export function createTreeCpuMeter(roots) {
  const read = () => {
    const table = readProcesses();
    return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, table?.has(pid) ? treeTicks(table, pid) : null]));
  };
  let before = read();
  return {
    /** @returns {Record<string, number | null>} CPU ms per tree since the last take */
    take() {
      const now = read();
      const used = Object.fromEntries(Object.entries(now).map(([name, ticks]) => {
        const start = before[name];
        return [name, ticks === null || start === null ? null : (ticks - start) * TICK_MS];
      }));
      before = now;
      return used;
    },
  };
}

/**
 * Redis's own CPU so far in ms, from `INFO cpu` (getrusage of the server
 * process: every thread): for servers given in the environment, whose PID
 * the bench does not know.
 *
 * @param {import('ioredis').Redis} redis
 */
export async function redisInfoCpuMs(redis) {
  const info = await redis.info('cpu');
  const value = (/** @type {string} */ key) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (value('used_cpu_sys') + value('used_cpu_user')) * 1000;
}

/**
 * The CPU the stack's processes and the servers used since the last take,
 * in ms, by name: each stack process and each started server as a process
 * tree from /proc, Redis from `INFO cpu` when its PID is unknown (servers
 * given in the environment).
 *
 * @param {{ stack: Record<string, number>, servers: Record<string, number>, redis: import('ioredis').Redis }} options
 *   stack, servers: name → PID
 */
export async function createCpuMeter({ stack, servers, redis }) {
  const stackTrees = createTreeCpuMeter(stack);
  const serverTrees = createTreeCpuMeter(servers);
  const fromInfo = !('redis' in servers);
  let infoBefore = fromInfo ? await redisInfoCpuMs(redis) : 0;
  return {
    /** @returns {Promise<{ stack: Record<string, number | null>, servers: Record<string, number | null> }>} */
    async take() {
      const used = { stack: stackTrees.take(), servers: serverTrees.take() };
      if (fromInfo) {
        const now = await redisInfoCpuMs(redis);
        used.servers.redis = now - infoBefore;
        infoBefore = now;
      }
      return used;
    },
  };
}
