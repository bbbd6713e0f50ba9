import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type Invalidation, parseInvalidation, RedisInvalidationBus } from '../../src/invalidation/index.js';
import { RedisUnreachableError } from '../../src/redis/connection.js';
import { redisSuiteOptions, sparePort, startThrowawayRedis, stopRedis, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';

const suite = await redisSuiteOptions();

/** Collects messages and resolves `next()` with the next one, so that tests wait for events rather than for time. */
function collector() {
  const seen: Invalidation[] = [];
  const waiting: Array<(m: Invalidation) => void> = [];
  return {
    seen,
    onInvalidate(message: Invalidation) {
      seen.push(message);
      waiting.shift()?.(message);
    },
    next: () => new Promise<Invalidation>((resolve) => waiting.push(resolve)),
  };
}

describe('parseInvalidation', () => {
  it('accepts an organisation id and nothing else', () => {
    assert.deepEqual(parseInvalidation('{"org":"org_1"}'), { org: 'org_1' });
    assert.deepEqual(parseInvalidation('{"org":"org_1","extra":true}'), { org: 'org_1' });
    for (const raw of ['', 'not json', 'null', '42', '"org_1"', '[]', '{}', '{"org":5}', '{"org":""}', JSON.stringify({ org: 'x'.repeat(201) })]) {
      assert.equal(parseInvalidation(raw), null, raw);
    }
  });
});

describe('RedisInvalidationBus', suite, () => {
  const buses: RedisInvalidationBus[] = [];
  const bus = (url: string, keyPrefix: string) => {
    const b = new RedisInvalidationBus({ url, keyPrefix, commandTimeoutMs: 1000 });
    buses.push(b);
    return b;
  };
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it('delivers a published change to every subscriber of its prefix, the publisher included, and to no other prefix', async () => {
    const prefix = testPrefix();
    const a = bus(TEST_REDIS_URL, prefix);
    const b = bus(TEST_REDIS_URL, prefix);
    const other = bus(TEST_REDIS_URL, testPrefix());
    const [seenA, seenB, seenOther] = [collector(), collector(), collector()];
    await a.connect();
    await a.subscribe({ onInvalidate: (m) => seenA.onInvalidate(m), onResync: () => assert.fail('no resync') });
    await b.subscribe({ onInvalidate: (m) => seenB.onInvalidate(m), onResync: () => assert.fail('no resync') });
    await other.subscribe({ onInvalidate: (m) => seenOther.onInvalidate(m), onResync: () => assert.fail('no resync') });
    assert.equal(a.channel, `${prefix}invalidate`);

    const [gotA, gotB] = [seenA.next(), seenB.next()];
    await a.publish({ org: 'org_one' });
    assert.deepEqual(await gotA, { org: 'org_one' });
    assert.deepEqual(await gotB, { org: 'org_one' });
    // Redis delivers in order on one channel: once a later message arrived on the other prefix, this one never will.
    const otherGot = seenOther.next();
    const otherPublisher = bus(TEST_REDIS_URL, other.channel.slice(0, -'invalidate'.length));
    await otherPublisher.connect();
    await otherPublisher.publish({ org: 'org_two' });
    assert.deepEqual(await otherGot, { org: 'org_two' });
    assert.deepEqual(seenOther.seen, [{ org: 'org_two' }]);
  });

  it('ignores malformed messages on its channel and keeps delivering the well-formed ones', async () => {
    const prefix = testPrefix();
    const b = bus(TEST_REDIS_URL, prefix);
    const seen = collector();
    await b.subscribe({ onInvalidate: (m) => seen.onInvalidate(m), onResync: () => assert.fail('no resync') });
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const got = seen.next();
      for (const junk of ['not json', 'null', '{}', '{"org":5}', '{"key":"sk_live_x"}', '']) await raw.publish(b.channel, junk);
      await raw.publish(b.channel, '{"org":"org_after_junk"}');
      assert.deepEqual(await got, { org: 'org_after_junk' });
      assert.deepEqual(seen.seen, [{ org: 'org_after_junk' }]);
    } finally {
      raw.disconnect();
    }
  });

  it('refuses to connect to an unreachable Redis, naming it without its password', async () => {
    const port = await sparePort();
    const b = bus(`redis://:hunter2@127.0.0.1:${port}`, testPrefix());
    await assert.rejects(b.connect(), (error: Error) => {
      assert.ok(error instanceof RedisUnreachableError);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it('after losing its subscription, drops everything once when it is back, logs both changes once, and delivers again', async () => {
    const port = await sparePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startThrowawayRedis(port);
    try {
      const b = bus(url, testPrefix());
      const warnings: string[] = [];
      const infos: string[] = [];
      let resyncs = 0;
      let resynced!: () => void;
      const back = new Promise<void>((r) => (resynced = r));
      let lost!: () => void;
      const down = new Promise<void>((r) => (lost = r));
      b.log = {
        warn: (m) => {
          warnings.push(m);
          lost();
        },
        info: (m) => infos.push(m),
      };
      const seen = collector();
      await b.connect();
      await b.subscribe({
        onInvalidate: (m) => seen.onInvalidate(m),
        onResync: () => {
          resyncs++;
          resynced();
        },
      });

      await stopRedis(redis);
      await down;
      redis = await startThrowawayRedis(port);
      await back;
      assert.equal(resyncs, 1);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /lost the subscription/);
      assert.equal(infos.length, 1, infos.join('\n'));
      assert.match(infos[0]!, /subscribed to Redis .* again/);

      // The subscription is back, not only the connection: a change published now arrives.
      const got = seen.next();
      const publisher = bus(url, b.channel.slice(0, -'invalidate'.length));
      await publisher.connect();
      await publisher.publish({ org: 'org_after_restart' });
      assert.deepEqual(await got, { org: 'org_after_restart' });
      assert.equal(resyncs, 1);
    } finally {
      await Promise.all(buses.splice(0).map((b) => b.close()));
      await stopRedis(redis);
    }
  });
});
