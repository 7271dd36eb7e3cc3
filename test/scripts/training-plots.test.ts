import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downsample, linearTicks, renderFigure, type Series } from '../../scripts/training-plots.js';

test('downsample keeps the first and last points and at most max points', () => {
  const points = Array.from({ length: 1000 }, (_, i) => [i, i * i] as const);
  const kept = downsample(points, 300);
  assert.equal(kept.length, 300);
  assert.deepEqual(kept[0], points[0]);
  assert.deepEqual(kept.at(-1), points.at(-1));
  assert.deepEqual(downsample(points.slice(0, 5), 300), points.slice(0, 5));
});

test('linear ticks are round numbers covering the range', () => {
  assert.deepEqual(linearTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(0, 2400), [0, 500, 1000, 1500, 2000]);
  assert.equal(linearTicks(0.7, 0.95)[0], 0.7, 'a tick on the lower end despite floating-point division');
});

test('a figure draws one path per series per panel, with escaped labels', () => {
  const series = (name: string): Series => ({ name, color: '#123456', points: Array.from({ length: 500 }, (_, i) => [i, 1 + i / 100] as const) });
  const svg = renderFigure({
    title: 'losses <&>',
    xLabel: 'step',
    yLabel: 'loss',
    yScale: 'log',
    legend: [{ name: 'a', color: '#123456' }],
    panels: [{ title: 'one', series: [series('a'), series('b')] }, { title: 'two', series: [series('a')] }],
  });
  assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/);
  assert.equal(svg.match(/<path /g)?.length, 3);
  assert.ok(svg.includes('losses &lt;&amp;&gt;'));
});
