/**
 * A PyTorch module, as Python source, that rebuilds a discrete network layer for layer: the same convs (kernel,
 * dilation, stride, with the engine's padding applied explicitly: centred 'same', or causal in 1-D), batch
 * norms (eps 1e-5, momentum 0.1), dropout, residual connections and head. PyTorch works channels first, so the
 * module takes [N, C, L] / [N, C, H, W] where the lab stores samples channels last.
 *
 * The file also maps every parameter to its name in the TF.js export (`pdash export-arch RUN --format tfjs`)
 * and has a loader, so the trained weights can be carried over with numpy alone.
 */
import type { ConvNode, NetworkPlan, NormNode } from './network-plan.ts';
import { paddingOf } from './network-plan.ts';
import { kerasName } from './tfjs-model.ts';

export interface PytorchSourceOptions {
  className: string;
  /** Lines for the module docstring (what run, which dataset, how inputs are normalised). */
  description: string[];
  generatedBy: string;
}

/** A Python identifier for an engine slot (`stage1.block2` -> `stage1_block2`). */
function attr(slot: string): string {
  return slot.replaceAll('.', '_');
}

function convArgs(c: ConvNode): string {
  return `${c.rank}, ${c.inChannels}, ${c.outChannels}, kernel=${c.kernel}, dilation=${c.dilation}, stride=${c.stride}, padding='${c.padding}'`;
}

function pointwiseArgs(c: ConvNode): string {
  const conv = c.rank === 2 ? 'nn.Conv2d' : 'nn.Conv1d';
  return `${conv}(${c.inChannels}, ${c.outChannels}, kernel_size=1, stride=${c.stride}, bias=True)`;
}

function norm(rank: 1 | 2, n: NormNode): string {
  return `nn.BatchNorm${rank}d(${n.channels}, eps=1e-05, momentum=0.1)`;
}

/** torch parameter/buffer name -> [TF.js weight name, how to lay the TF.js array out for torch]. */
function weightMap(plan: NetworkPlan): Array<[string, string, 'conv' | 'linear' | 'vector']> {
  const out: Array<[string, string, 'conv' | 'linear' | 'vector']> = [];
  const conv = (torchPrefix: string, c: ConvNode) => {
    out.push([`${torchPrefix}.weight`, `${kerasName(c.slot)}/kernel`, 'conv'], [`${torchPrefix}.bias`, `${kerasName(c.slot)}/bias`, 'vector']);
  };
  const bn = (torchPrefix: string, n: NormNode) => {
    const k = kerasName(n.slot);
    out.push([`${torchPrefix}.weight`, `${k}/gamma`, 'vector'], [`${torchPrefix}.bias`, `${k}/beta`, 'vector'], [`${torchPrefix}.running_mean`, `${k}/moving_mean`, 'vector'], [`${torchPrefix}.running_var`, `${k}/moving_variance`, 'vector']);
  };
  if (plan.stem) conv('stem.conv', plan.stem);
  for (const b of plan.blocks) {
    const a = attr(b.name);
    if (b.kind === 'wrn') {
      bn(`${a}.bn1`, b.bn1);
      conv(`${a}.conv1.conv`, b.conv1);
      bn(`${a}.bn2`, b.bn2);
      conv(`${a}.conv2.conv`, b.conv2);
      if (b.shortcut) conv(`${a}.shortcut`, b.shortcut);
    } else {
      b.convs.forEach((c, i) => {
        conv(`${a}.convs.${i}.conv`, c);
        bn(`${a}.norms.${i}`, b.norms[i]!);
      });
      if (b.residual) {
        conv(`${a}.residual`, b.residual.conv);
        bn(`${a}.residual_norm`, b.residual.norm);
      }
    }
  }
  if (plan.headNorm) bn('head_norm', plan.headNorm);
  out.push(['head.weight', 'head/kernel', 'linear'], ['head.bias', 'head/bias', 'vector']);
  return out;
}

const PRELUDE = `import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


class SearchedConv(nn.Module):
    """A searched convolution with the lab's padding, applied explicitly before an unpadded conv.

    'same': the extent e = d(k - 1) + 1 is centred, floor((e - 1) / 2) zeros before and the rest after, and
    stride s keeps outputs 0, s, 2s, ... of the stride-1 result. 'causal' (1-D): all e - 1 zeros before, so an
    output never sees a later input.
    """

    def __init__(self, rank, in_channels, out_channels, kernel, dilation, stride, padding):
        super().__init__()
        extent = dilation * (kernel - 1) + 1
        before = extent - 1 if padding == 'causal' else (extent - 1) // 2
        after = extent - 1 - before
        self.pad = (before, after) * rank
        conv = nn.Conv1d if rank == 1 else nn.Conv2d
        self.conv = conv(in_channels, out_channels, kernel_size=kernel, stride=stride, dilation=dilation, bias=True)

    def forward(self, x):
        return self.conv(F.pad(x, self.pad))
`;

const WRN_BLOCK = `

class WideResNetBlock(nn.Module):
    """Pre-activation block: BN-ReLU-conv1, dropout, BN-ReLU-conv2, plus the input or its 1x1 projection."""

    def __init__(self, in_channels, out_channels, stride, conv1, conv2, dropout, shortcut):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels, eps=1e-05, momentum=0.1)
        self.conv1 = conv1
        self.dropout = nn.Dropout(dropout)
        self.bn2 = nn.BatchNorm2d(out_channels, eps=1e-05, momentum=0.1)
        self.conv2 = conv2
        self.shortcut = shortcut

    def forward(self, x):
        out = self.conv1(F.relu(self.bn1(x)))
        out = self.dropout(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + (x if self.shortcut is None else self.shortcut(x))
`;

const RESNET1D_BLOCK = `

class ResNet1dBlock(nn.Module):
    """Three times conv -> dropout -> BN -> ReLU; the input is added through 1x1 conv + BN where channels change."""

    def __init__(self, convs, norms, dropout, residual, residual_norm):
        super().__init__()
        self.convs = nn.ModuleList(convs)
        self.norms = nn.ModuleList(norms)
        self.dropout = nn.Dropout(dropout)
        self.residual = residual
        self.residual_norm = residual_norm

    def forward(self, x):
        out = x
        for conv, norm in zip(self.convs, self.norms):
            out = F.relu(norm(self.dropout(conv(out))))
        if self.residual is None:
            return out
        return out + self.residual_norm(self.residual(x))
`;

export function pytorchSource(plan: NetworkPlan, options: PytorchSourceOptions): string {
  const lines: string[] = [];
  const doc = options.description.map((l) => (l === '' ? '' : `    ${l}`));
  lines.push(`"""${options.className}: generated by ${options.generatedBy}. Rebuilds the network; it holds no weights.`, '', ...options.description, '"""', PRELUDE.trimEnd());
  lines.push(plan.rank === 2 ? WRN_BLOCK.trimEnd() : RESNET1D_BLOCK.trimEnd());
  lines.push('', '', `class ${options.className}(nn.Module):`, '    """', ...doc, '    """', '', '    def __init__(self):', '        super().__init__()');
  if (plan.stem) lines.push(`        self.stem = SearchedConv(${convArgs(plan.stem)})`);
  for (const b of plan.blocks) {
    if (b.kind === 'wrn') {
      lines.push(
        `        self.${attr(b.name)} = WideResNetBlock(`,
        `            ${b.conv1.inChannels}, ${b.conv1.outChannels}, stride=${b.conv2.stride},`,
        `            conv1=SearchedConv(${convArgs(b.conv1)}),  # layer ${b.conv1.searchable}`,
        `            conv2=SearchedConv(${convArgs(b.conv2)}),  # layer ${b.conv2.searchable}`,
        `            dropout=${plan.dropout},`,
        `            shortcut=${b.shortcut ? pointwiseArgs(b.shortcut) : 'None'},`,
        '        )',
      );
    } else {
      lines.push(`        self.${attr(b.name)} = ResNet1dBlock(`, '            convs=[');
      for (const c of b.convs) lines.push(`                SearchedConv(${convArgs(c)}),  # layer ${c.searchable}`);
      lines.push('            ],', `            norms=[${b.norms.map((n) => norm(1, n)).join(', ')}],`, `            dropout=${plan.dropout},`);
      lines.push(`            residual=${b.residual ? pointwiseArgs(b.residual.conv) : 'None'},`, `            residual_norm=${b.residual ? norm(1, b.residual.norm) : 'None'},`, '        )');
    }
  }
  if (plan.headNorm) lines.push(`        self.head_norm = ${norm(2, plan.headNorm)}`);
  lines.push(`        self.head = nn.Linear(${plan.head.inFeatures}, ${plan.head.outFeatures})`);
  lines.push('', '    def forward(self, x):');
  lines.push(`        """x: ${plan.rank === 2 ? '[N, C, H, W]' : '[N, C, L]'} (channels first). Returns ${plan.head.perPosition ? `[N, ${plan.head.outFeatures}, H, W]` : `logits [N, ${plan.head.outFeatures}]`}."""`);
  lines.push(plan.stem ? '        h = self.stem(x)' : '        h = x');
  for (const b of plan.blocks) lines.push(`        h = self.${attr(b.name)}(h)`);
  if (plan.headNorm) lines.push('        h = F.relu(self.head_norm(h))');
  if (plan.head.perPosition) lines.push('        return self.head(h.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)');
  else lines.push(`        return self.head(h.mean(dim=${plan.rank === 2 ? '(2, 3)' : '2'}))`);

  const map = weightMap(plan);
  lines.push('', '', '# Parameter and buffer names -> weight names in the TF.js export (model.json + weights.bin), and their layout.');
  lines.push('TFJS_WEIGHTS = {');
  for (const [torchName, tfjsName, layout] of map) lines.push(`    '${torchName}': ('${tfjsName}', '${layout}'),`);
  lines.push('}');
  lines.push(`

def load_tfjs_weights(model, export_dir):
    """Copies the trained weights of a TF.js export (pdash export-arch RUN --format tfjs) into the model."""
    import numpy as np

    export_dir = Path(export_dir)
    manifest = json.loads((export_dir / 'model.json').read_text())['weightsManifest']
    arrays = {}
    for group in manifest:
        data = b''.join((export_dir / p).read_bytes() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            count = int(np.prod(spec['shape'])) if spec['shape'] else 1
            arrays[spec['name']] = np.frombuffer(data, dtype='<f4', count=count, offset=offset).reshape(spec['shape'])
            offset += 4 * count
    state = model.state_dict()
    for name, (tfjs_name, layout) in TFJS_WEIGHTS.items():
        value = arrays[tfjs_name]
        if layout == 'conv':  # [k, k, in, out] -> [out, in, k, k]; 1-D: [1, k, in, out] -> [out, in, k]
            if value.ndim == state[name].ndim + 1:
                value = value[0]
            value = value.transpose(*range(value.ndim - 1, value.ndim - 3, -1), *range(value.ndim - 2))
        elif layout == 'linear':  # [in, out] -> [out, in]
            value = value.T
        tensor = torch.from_numpy(np.ascontiguousarray(value))
        if tuple(tensor.shape) != tuple(state[name].shape):
            raise ValueError(f'{name}: TF.js weight {tfjs_name} has shape {tuple(tensor.shape)}, the module expects {tuple(state[name].shape)}')
        state[name] = tensor
    model.load_state_dict(state)
    return model
`.trimEnd());
  lines.push('');
  return `${lines.join('\n')}\n`;
}
