import { startServers } from '../../servers/index.js';
import { generateNetwork } from '../network.js';
import { loadMongo } from '../loader-mongo.js';
import { loadRedis } from '../loader-redis.js';
import { Progress } from '../progress.js';
const users = Number(process.argv[2] ?? 20000);
const s = await startServers({ only: ['mongodb', 'redis'] });
try {
  const n = generateNetwork({ users, seed: 42, avgFollowing: 12, celebrityFollowers: Math.round(users * 0.6), maxLength: 800, now: Date.now() });
  const progress = new Progress('load', { intervalMs: 5000 });
  const [m, r] = await Promise.all([
    loadMongo(n, { url: s.env.MONGODB_URL, dbPrefix: 'bench', progress }),
    loadRedis(n, { url: s.env.REDIS_URL, prefix: 'bench:timeline:', activeWindowSeconds: 14 * 86400, progress }),
  ]);
  progress.finish();
  console.log(m, r);
} finally { await s.stop(); }
