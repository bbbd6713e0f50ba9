/** uPlot lives in its own chunk: only the agent page needs it, so the agents and events pages load without it. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { utcSeconds, utcTicks } from '../lib/format.js';
import type { ScorePoint } from '../lib/stats.js';

const HEIGHT = 240;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export function plotScores(container: HTMLElement, points: readonly ScorePoint[]): () => void {
  const ink = cssVar(container, '--muted', '#555');
  const grid = cssVar(container, '--grid', '#e4e4e4');
  const line = cssVar(container, '--accent', '#1f6f5c');
  const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts: uPlot.Options = {
    width: Math.max(280, container.clientWidth),
    height: HEIGHT,
    // Times on the axis in UTC, like everywhere else in the dashboard.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { y: { range: [0, 1000] } },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: 'Time (UTC)', value: (_u, ts) => (ts === null ? '—' : utcSeconds(new Date(ts * 1000).toISOString())) },
      { label: 'Score', stroke: line, width: 2, fill: `${line}22`, points: { show: points.length < 60 }, value: (_u, v) => (v === null ? '—' : String(v)) },
    ],
    axes: [{ ...axis, values: (_u, splits) => utcTicks(splits) }, { ...axis, size: 48 }],
  };
  const data: uPlot.AlignedData = [points.map((p) => p.t), points.map((p) => p.score)];
  const plot = new uPlot(opts, data, container);
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, container.clientWidth), height: HEIGHT }));
  resize.observe(container);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
