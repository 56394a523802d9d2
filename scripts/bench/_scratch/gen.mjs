import { generateNetwork } from '../network.js';
import { homeOf } from '../content.js';
const users = Number(process.argv[2] ?? 20000);
let t = Date.now();
const n = generateNetwork({ users, seed: 42, avgFollowing: 12, celebrityFollowers: users >= 100000 ? 50000 : Math.round(users * 0.6), maxLength: 800, now: Date.now() });
console.log('gen ms', Date.now() - t, 'edges', n.edges, 'tweets', n.tweets, 'celebs', n.celebrities.map(c => n.followerCount[c]), 'probes', JSON.stringify(Object.fromEntries(Object.entries(n.probes).map(([k, v]) => [k, v.map(i => n.followerCount[i])]))));
console.log('top', Array.from(n.followerCount.slice(0, 12)));
t = Date.now(); let full = 0, sum = 0; const lens = [];
for (let u = 0; u < users; u++) { const h = homeOf(n, u); sum += h.tweets.length; if (!h.complete) full++; lens.push(h.tweets.length); }
lens.sort((a,b)=>a-b);
console.log('homes ms', Date.now() - t, 'mean', sum / users, 'full share', full / users, 'p10', lens[Math.floor(users*0.1)], 'p50', lens[users>>1]);
const outdeg = []; for (let u=0;u<users;u++) outdeg.push(n.followeesStart[u+1]-n.followeesStart[u]); outdeg.sort((a,b)=>a-b);
console.log('following p50', outdeg[users>>1], 'max', outdeg.at(-1), 'zero', outdeg.filter(x=>x===0).length);
