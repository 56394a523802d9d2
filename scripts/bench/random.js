// A small seeded PRNG, so the same seed always builds the same network.
// (Math.random cannot be seeded; reproducibility is the point here.)

/**
 * sfc32 seeded through splitmix32: fast, good enough for sampling, and the
 * same sequence on every machine and Node version.
 *
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function createRandom(seed) {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/**
 * An integer in [0, n).
 *
 * @param {() => number} random
 * @param {number} n
 */
export function randomInt(random, n) {
  return Math.floor(random() * n);
}

/**
 * Shuffles in place (Fisher–Yates).
 *
 * @template T
 * @param {() => number} random
 * @param {T[] | Int32Array} items
 */
export function shuffle(random, items) {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}

/**
 * `count` distinct integers from [0, n), never `excluded`, in ascending order.
 * Dense picks walk the range once (selection sampling); sparse ones draw and
 * reject duplicates, which is cheaper when count is far below n.
 *
 * @param {() => number} random
 * @param {number} n
 * @param {number} count
 * @param {number} excluded
 * @returns {Int32Array}
 */
export function sampleDistinct(random, n, count, excluded) {
  const pool = n - 1; // everyone but `excluded`
  const wanted = Math.min(count, pool);
  const picked = new Int32Array(wanted);
  if (wanted * 8 > pool) {
    let taken = 0;
    let seen = 0;
    for (let i = 0; i < n && taken < wanted; i += 1) {
      if (i === excluded) continue;
      if (random() * (pool - seen) < wanted - taken) picked[taken++] = i;
      seen += 1;
    }
    return picked;
  }
  const chosen = new Set();
  while (chosen.size < wanted) {
    const i = randomInt(random, n);
    if (i !== excluded) chosen.add(i);
  }
  let k = 0;
  for (const i of chosen) picked[k++] = i;
  return picked.sort();
}
