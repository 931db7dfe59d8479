/** Step decay of the learning rate, as PyTorch's MultiStepLR: lr(epoch) = lr0 * gamma^(number of milestones <= epoch), epochs 0-based. */
export function multiStepFactor(epoch: number, milestones: readonly number[], gamma: number): number {
  let passed = 0;
  for (const m of milestones) if (epoch >= m) passed++;
  return gamma ** passed;
}

/** DASH's milestones: x0.2 at epochs 60, 120, 160 for 2-D backbones and 30, 60, 90, 120, 160 for the 1-D ResNet. */
export function referenceMilestones(rank: 1 | 2): number[] {
  return rank === 2 ? [60, 120, 160] : [30, 60, 90, 120, 160];
}

export const REFERENCE_LR_GAMMA = 0.2;
