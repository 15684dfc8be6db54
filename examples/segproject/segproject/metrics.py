"""Metrics written with the layout in mind: losslint has nothing to say about them."""

import torch


def iou_score(logits, target, eps: float = 1e-6):
    pred = logits.argmax(dim=1)                         # N H W
    num_classes = logits.size(1)
    ious = []
    for c in range(num_classes):
        p, t = pred == c, target == c
        inter = (p & t).sum(dim=(1, 2)).float()
        union = (p | t).sum(dim=(1, 2)).float()
        ious.append((inter + eps) / (union + eps))
    return torch.stack(ious, dim=1).mean()
