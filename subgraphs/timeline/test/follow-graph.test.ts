import { MongoClient } from 'mongodb';
import { realServers, uniqueName } from '@chirp/testing';
import { InMemoryFollowGraphRepository, MongoFollowGraphRepository, type FollowGraphRepository } from '../src/repositories/index.js';

function describeFollowGraphContract(name: string, create: () => Promise<FollowGraphRepository>): void {
  describe(`FollowGraphRepository contract: ${name}`, () => {
    let graph: FollowGraphRepository;
    beforeAll(async () => {
      graph = await create();
    });
    const user = () => uniqueName('u');

    it('stores a newer state and ignores an equal or older one', async () => {
      const [a, b] = [user(), user()];
      expect(await graph.apply({ followerId: a, followeeId: b, active: true, seq: 1 })).toBe(true);
      expect(await graph.apply({ followerId: a, followeeId: b, active: true, seq: 1 })).toBe(false);
      expect(await graph.apply({ followerId: a, followeeId: b, active: false, seq: 2 })).toBe(true);
      expect(await graph.apply({ followerId: a, followeeId: b, active: true, seq: 1 })).toBe(false); // late, stale
      expect(await graph.followeesOf(a)).toEqual([]);
    });

    it('ends in the latest state whatever order the changes arrive in', async () => {
      const [a, b] = [user(), user()];
      for (const seq of [3, 1, 2, 5, 4]) await graph.apply({ followerId: a, followeeId: b, active: seq % 2 === 1, seq });
      expect(await graph.followeesOf(a)).toEqual([b]);
      expect(await graph.followersOf(b)).toEqual([a]);
    });

    it('lists followees and followers', async () => {
      const [me, x, y, fan] = [user(), user(), user(), user()];
      await graph.apply({ followerId: me, followeeId: x, active: true, seq: 1 });
      await graph.apply({ followerId: me, followeeId: y, active: true, seq: 1 });
      await graph.apply({ followerId: fan, followeeId: me, active: true, seq: 1 });
      expect((await graph.followeesOf(me)).sort()).toEqual([x, y].sort());
      expect(await graph.followersOf(me)).toEqual([fan]);
      expect(await graph.countFollowers(me, 10)).toBe(1);
    });

    it('counts followers up to a limit', async () => {
      const star = user();
      for (let n = 0; n < 5; n += 1) await graph.apply({ followerId: user(), followeeId: star, active: true, seq: 1 });
      expect(await graph.countFollowers(star, 3)).toBe(3);
      expect(await graph.countFollowers(star, 100)).toBe(5);
    });
  });
}

describeFollowGraphContract('in-memory', async () => new InMemoryFollowGraphRepository());

describe('on MongoDB', () => {
  let client: MongoClient;
  const database = uniqueName('timeline_graph');
  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });
  describeFollowGraphContract('MongoDB', async () => {
    const repository = new MongoFollowGraphRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });
});
