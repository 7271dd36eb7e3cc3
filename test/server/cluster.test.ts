/** The primary's restart policy: crashes within a sliding window, with the clock passed in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RESTART_POLICY, recordCrash, type RestartPolicy } from '../../server/cluster.js';

function replay(times: readonly number[], policy: RestartPolicy = DEFAULT_RESTART_POLICY): boolean[] {
  let crashes: number[] = [];
  return times.map((now) => {
    const verdict = recordCrash(crashes, now, policy);
    crashes = verdict.crashes;
    return verdict.giveUp;
  });
}

test('five crashes a minute are tolerated, the sixth within the minute stops the server', () => {
  // A replacement killed 0.3 s after its fork, again and again: each kill is one crash, no more.
  const quickKills = Array.from({ length: 6 }, (_, i) => 1_000 + i * 300);
  assert.deepEqual(replay(quickKills), [false, false, false, false, false, true]);
});

test('crashes older than the window are forgotten', () => {
  const minute = DEFAULT_RESTART_POLICY.windowMs;
  // Five crashes, then a sixth just after the first left the window: tolerated; a seventh while the other four
  // are still inside it is not, nor a sixth just before the first leaves.
  assert.deepEqual(replay([0, 10, 20, 30, 40, minute + 1]), [false, false, false, false, false, false]);
  assert.deepEqual(replay([0, 10, 20, 30, 40, minute + 1, minute + 2]), [false, false, false, false, false, false, true]);
  assert.deepEqual(replay([0, 10, 20, 30, 40, minute - 1]), [false, false, false, false, false, true]);
});

test('a steady crash every 15 s is restarted forever; the policy is configurable', () => {
  assert.ok(replay(Array.from({ length: 100 }, (_, i) => i * 15_000)).every((giveUp) => !giveUp));
  assert.deepEqual(replay([0, 1, 2], { maxCrashes: 1, windowMs: 10 }), [false, true, true]);
  assert.deepEqual(replay([0, 20, 40], { maxCrashes: 1, windowMs: 10 }), [false, false, false]);
});
