/**
 * Whether the search has decided each layer at one alpha snapshot (the vocabulary's layerDecision: the top-two
 * margin of softmax(alpha), its normalised entropy, and the leader's lead in units of alpha's spread against the
 * lead noise would give), for the monitor's decision table: a near-uniform layer's argmax is the initialisation's
 * choice, and a leader no further ahead than noise puts it is noise's; the monitor says so.
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
  /** The leader's lead over the runner-up in alpha's spread, and the lead noise exceeds in 5% of layers; null under 4 candidates. */
  lead: number | null;
  noiseLead: number | null;
  decided: boolean;
}

export function snapshotDecisions(snapshot: AlphaSnapshot): LayerDecisionRow[] {
  return snapshot.layers.map((l) => {
    const d = layerDecision(l.softmax);
    return { layer: l.layer, name: l.name, candidates: l.patterns.length, leader: { ...l.patterns[d.leader]! }, marginPoints: d.margin * 100, entropy: d.entropy, lead: d.lead, noiseLead: d.noiseLead, decided: d.decided };
  });
}

/** "3 of 9 layers undecided (leader less than 1 point ahead)", or that all are decided. */
export function decisionSummary(rows: readonly LayerDecisionRow[]): string {
  const undecided = rows.filter((r) => !r.decided).length;
  if (undecided === 0) return `All ${rows.length} layers decided (every leader at least ${UNDECIDED_MARGIN * 100} point ahead of the runner-up, and further ahead than noise would put it).`;
  return `${undecided} of ${rows.length} layers undecided (leader less than ${UNDECIDED_MARGIN * 100} point ahead of the runner-up, or no further ahead than noise would put it): there the choice is the initialisation's or the noise's, not the search's.`;
}
