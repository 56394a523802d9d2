// The identity suite (identity.e2e.test.ts): rate limits and revoked sessions, whole, on the 3-master Redis Cluster.
import { onRedisCluster } from './support.js';
import './identity.e2e.test.js';

onRedisCluster();
