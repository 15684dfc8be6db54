"""Losses for the segmentation head (NCHW logits, NHW integer targets) and the depth head."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class DiceLoss(nn.Module):
    """Soft dice over the classes, averaged over the batch."""

    def __init__(self, smooth: float = 1.0):
        super().__init__()
        self.smooth = smooth

    def forward(self, logits, target):
        probs = torch.softmax(logits, dim=1)
        num_classes = logits.shape[1]
        one_hot = F.one_hot(target, num_classes)           # N H W C
        one_hot = one_hot.permute(0, 3, 1, 2).float()      # N C H W
        inter = (probs * one_hot).sum(dim=(1, 2))          # bug: written for NHWC
        union = probs.sum(dim=(2, 3)) + one_hot.sum(dim=(2, 3))
        return 1 - ((2 * inter + self.smooth) / (union + self.smooth)).mean()


class FocalLoss(nn.Module):
    def __init__(self, gamma: float = 2.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, logits, target):
        log_probs = F.log_softmax(logits, dim=-1)          # bug: -1 is W here
        probs = log_probs.exp()
        ce = F.nll_loss(log_probs, target, reduction="none")
        return ((1 - probs.max(dim=1).values) ** self.gamma * ce).mean()


class SegmentationLoss(nn.Module):
    """Cross-entropy plus dice: the loss the training loop uses."""

    def __init__(self, weight=None):
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=weight)
        self.dice = DiceLoss()

    def forward(self, logits, target):
        return self.ce(logits, target) + self.dice(logits, target)


def weighted_pixel_loss(logits, target, weight, valid):
    """Per-pixel cross-entropy, re-weighted per class and masked to the valid pixels."""
    ce = F.cross_entropy(logits, target, reduction="none")     # N H W
    probs = F.softmax(logits, dim=1)
    per_class = probs * weight                                  # bug: (C,) pairs with W
    return (ce * valid.squeeze(1)).mean() + per_class.mean()


def depth_l1_loss(pred, target):
    """L1 on the depth head, averaged per image (N 1 H W)."""
    err = (pred - target).abs()
    return err.mean(dim=-1).mean()                              # bug: keeps H


def depth_rmse_loss(pred, target):
    return torch.sqrt(((pred - target) ** 2).mean(dim=(1, 2, 3))).mean()
