import { startServers } from '../../servers/index.js';
import { MongoClient } from 'mongodb';
const s = await startServers({ only: ['mongodb'] });
try {
  const c = await MongoClient.connect(s.env.MONGODB_URL);
  const col = c.db('bt_x').collection('follow_graph');
  let t = Date.now(); let n = 0;
  await Promise.all([0,1,2,3].map(async (w) => {
    for (let b = 0; b < 10; b++) {
      const docs = Array.from({ length: 2000 }, (_, i) => ({ _id: `${w}:${b}:${i}`, followerId: String(b*2000+i), followeeId: String(i%100), active: true, seq: 1 }));
      await col.insertMany(docs, { ordered: false }); n += 2000;
    }
  }));
  console.log('parallel docs/s', Math.round(n / ((Date.now() - t) / 1000)));
  for (let k = 0; k < 3; k++) {
    t = Date.now();
    const r = await col.find({ followeeId: String(k), active: true }, { projection: { followerId: 1 } }).toArray();
    console.log('find by followee', r.length, Date.now() - t, 'ms over', n);
  }
  t = Date.now();
  const r = await col.find({ _id: { $in: ['0:0:1', '1:1:1'] } }).toArray();
  console.log('by ids', r.length, Date.now() - t);
  await c.close();
} finally { await s.stop(); }
