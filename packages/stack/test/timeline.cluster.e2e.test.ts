// The home timeline suite (timeline.e2e.test.ts): fan-out, rebuilds, celebrities, cards and likes, whole, on the 3-master Redis Cluster.
import { onRedisCluster } from './support.js';
import './timeline.e2e.test.js';

onRedisCluster();
