// The live suite (live.e2e.test.ts): sharded pub/sub, each user's channel on the node of its slot, whole, on the 3-master Redis Cluster.
import { onRedisCluster } from './support.js';
import './live.e2e.test.js';

onRedisCluster();
