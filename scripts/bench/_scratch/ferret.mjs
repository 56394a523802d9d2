import { startServers } from '/work/main/scripts/servers/index.js';
import { MongoClient } from 'mongodb';
const s = await startServers({ only: ['mongodb'] });
try {
  const c = await MongoClient.connect(s.env.MONGODB_URL);
  const col = c.db('bt_x').collection('follow_graph');
  for (const bs of [1000, 5000]) {
    const t = Date.now(); let n = 0;
    for (let b = 0; b < 20; b++) {
      const docs = Array.from({ length: bs }, (_, i) => ({ _id: `${bs}:${b}:${i}`, followerId: String(b*bs+i), followeeId: String(i%100), active: true, seq: 1 }));
      await col.insertMany(docs, { ordered: false }); n += bs;
    }
    console.log(bs, 'docs/s', Math.round(n / ((Date.now() - t) / 1000)));
  }
  await col.createIndex({ followeeId: 1, active: 1 });
  let t = Date.now();
  const r = await col.find({ followeeId: '5', active: true }, { projection: { followerId: 1 } }).toArray();
  console.log('find by followee', r.length, Date.now() - t, 'ms over', await col.estimatedDocumentCount());
  t = Date.now();
  console.log('count', await col.countDocuments({ followeeId: '5', active: true }, { limit: 10 }), Date.now() - t, 'ms');
  await c.close();
} finally { await s.stop(); }
