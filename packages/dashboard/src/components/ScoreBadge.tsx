import type { Reputation } from '../lib/api.js';
import { CALIBRATION_EVALUATIONS, isCalibrating, scoreBand, scoreLabel } from '../lib/format.js';

/** The big number on the agent page; its colour is the score band. */
export function ScoreBadge({ reputation }: { reputation: Reputation }) {
  const band = scoreBand(reputation.score, reputation.status);
  const label = scoreLabel(reputation.score, reputation.status, reputation.evaluations);
  const calibrating = isCalibrating(reputation.status);
  const description = calibrating
    ? `Calibrating: ${reputation.evaluations} of ${CALIBRATION_EVALUATIONS} evaluations`
    : `Reputation score ${reputation.score} of 1000, ${band}`;
  return (
    <div class={`score-badge band-${band}`} role="img" aria-label={description} data-testid="score-badge">
      <span class="score-badge-value">{label}</span>
      <span class="score-badge-caption">{calibrating ? 'calibrating' : `of 1000 · ${band}`}</span>
    </div>
  );
}

/** The small score in the agents table. */
export function ScoreCell({ reputation }: { reputation: Pick<Reputation, 'score' | 'status' | 'evaluations'> }) {
  const band = scoreBand(reputation.score, reputation.status);
  const label = scoreLabel(reputation.score, reputation.status, reputation.evaluations);
  return (
    <span class={`score-pill band-${band}`} title={isCalibrating(reputation.status) ? 'calibrating: evaluations so far of 50' : `${band}`}>
      {label}
    </span>
  );
}
