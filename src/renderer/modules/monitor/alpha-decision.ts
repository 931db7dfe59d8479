/**
 * Whether the search has decided each layer at one alpha snapshot (the vocabulary's layerDecision: the top-two
 * margin of softmax(alpha) and its normalised entropy), for the monitor's decision table: a near-uniform layer's
 * argmax is the initialisation's choice, not the search's, and the monitor says so.
 */
import { layerDecision, UNDECIDED_MARGIN } from '../../../shared/engine/index.ts';
import type { AlphaSnapshot } from '../../stores/runs.ts';

export interface LayerDecisionRow {
  layer: number;
  name: string;
  candidates: number;
  leader: { kernel: number; dilation: number };
  /** softmax(alpha) of the leader minus the runner-up's, in percentage points. */
  marginPoints: number;
  /** H(p) / log |P|: 1 uniform, 0 one pattern. */
  entropy: number;
  decided: boolean;
}

export function snapshotDecisions(snapshot: AlphaSnapshot): LayerDecisionRow[] {
  return snapshot.layers.map((l) => {
    const d = layerDecision(l.softmax);
    return { layer: l.layer, name: l.name, candidates: l.patterns.length, leader: { ...l.patterns[d.leader]! }, marginPoints: d.margin * 100, entropy: d.entropy, decided: d.decided };
  });
}

/** "3 of 9 layers undecided (leader less than 1 point ahead)", or that all are decided. */
export function decisionSummary(rows: readonly LayerDecisionRow[]): string {
  const undecided = rows.filter((r) => !r.decided).length;
  const rule = `leader less than ${UNDECIDED_MARGIN * 100} point ahead of the runner-up`;
  if (undecided === 0) return `All ${rows.length} layers decided (no ${rule}).`;
  return `${undecided} of ${rows.length} layers undecided (${rule}): there the choice is the initialisation's, not the search's.`;
}
