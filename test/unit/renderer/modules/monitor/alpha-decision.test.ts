import { describe, expect, it } from 'vitest';
import { decisionSummary, snapshotDecisions } from '../../../../../src/renderer/modules/monitor/alpha-decision.ts';
import type { AlphaSnapshot } from '../../../../../src/renderer/stores/runs.ts';

const patterns = [
  { kernel: 3, dilation: 1 },
  { kernel: 3, dilation: 2 },
  { kernel: 5, dilation: 1 },
  { kernel: 5, dilation: 2 },
];

function snapshot(softmaxes: number[][]): AlphaSnapshot {
  return {
    round: 0,
    epoch: 2,
    layers: softmaxes.map((softmax, layer) => ({ layer, name: `conv${layer}`, patterns, alpha: softmax.map((p) => Math.log(p)), softmax })),
  } as AlphaSnapshot;
}

describe('snapshotDecisions', () => {
  it('names each layer, its leader, the margin in points and the entropy, and whether it is decided', () => {
    const rows = snapshotDecisions(snapshot([[0.2501, 0.25, 0.2499, 0.25], [0.04, 0.85, 0.06, 0.05]]));
    expect(rows[0]).toMatchObject({ name: 'conv0', candidates: 4, leader: { kernel: 3, dilation: 1 }, decided: false });
    expect(rows[0]!.marginPoints).toBeCloseTo(0.01, 10);
    expect(rows[0]!.entropy).toBeGreaterThan(0.9999);
    expect(rows[1]).toMatchObject({ name: 'conv1', leader: { kernel: 3, dilation: 2 }, decided: true });
    expect(rows[1]!.marginPoints).toBeCloseTo(79, 10);
  });

  it('says how many layers are undecided, or that all are decided', () => {
    expect(decisionSummary(snapshotDecisions(snapshot([[0.25, 0.25, 0.25, 0.25], [0.04, 0.85, 0.06, 0.05]])))).toBe(
      "1 of 2 layers undecided (leader less than 1 point ahead of the runner-up, or no further ahead than noise would put it): there the choice is the initialisation's or the noise's, not the search's.",
    );
    expect(decisionSummary(snapshotDecisions(snapshot([[0.04, 0.85, 0.06, 0.05]])))).toBe(
      'All 1 layers decided (every leader at least 1 point ahead of the runner-up, and further ahead than noise would put it).',
    );
    // A wide margin that noise of that scale makes often is not a decision: [0.1, 0.6, 0.2, 0.1] leads by 1.30 spreads, noise's 95% is 1.70.
    expect(snapshotDecisions(snapshot([[0.1, 0.6, 0.2, 0.1]]))[0]).toMatchObject({ decided: false, noiseLead: expect.closeTo(1.7, 1) });
  });
});
