import { useEffect, useRef, useState } from 'preact/hooks';
import type { EvaluationEvent } from '../lib/api.js';
import { scorePoints } from '../lib/stats.js';

export function ScoreChart({ events }: { events: readonly EvaluationEvent[] }) {
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const points = scorePoints(events);

  // biome-ignore lint/correctness/useExhaustiveDependencies: points are derived from events; a new array each render must not redraw
  useEffect(() => {
    let dispose: (() => void) | undefined;
    let cancelled = false;
    import('./score-plot.js').then(
      ({ plotScores }) => {
        if (!cancelled && container.current) dispose = plotScores(container.current, points);
      },
      () => setFailed(true),
    );
    return () => {
      cancelled = true;
      dispose?.();
    };
  }, [events]);

  const first = points[0];
  const last = points[points.length - 1];
  const summary =
    first && last
      ? `Score over the last ${points.length} evaluations: from ${first.score} to ${last.score}, lowest ${Math.min(...points.map((p) => p.score))}, highest ${Math.max(...points.map((p) => p.score))}.`
      : 'No evaluations yet.';
  if (failed) return <p class="muted">The chart could not be loaded. {summary}</p>;
  return (
    <figure class="chart">
      <div ref={container} class="chart-canvas" role="img" aria-label={summary} data-testid="score-chart" />
      <figcaption class="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
