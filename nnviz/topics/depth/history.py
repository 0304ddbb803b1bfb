"""How deep real image networks went: torchvision's ImageNet-1K figures and the lecture's timeline."""

from __future__ import annotations

from dataclasses import dataclass

#: ImageNet-1K top-1 accuracy, GFLOPS and parameter counts of torchvision's IMAGENET1K_V1 weights,
#: from torchvision's published weight tables (https://pytorch.org/vision/stable/models.html).
#: name, year of the paper, weight layers, acc@1 (%), GFLOPS, parameters
IMAGENET: tuple[tuple[str, int, int, float, float, int], ...] = (
    ("AlexNet", 2012, 8, 56.522, 0.714, 61_100_840),
    ("VGG-16", 2015, 16, 71.592, 15.47, 138_357_544),
    ("VGG-19", 2015, 19, 72.376, 19.632, 143_667_240),
    ("GoogLeNet", 2015, 22, 69.778, 1.498, 6_624_904),
    ("Inception-v3", 2016, 48, 77.294, 5.713, 27_161_264),
    ("ResNet-18", 2016, 18, 69.758, 1.814, 11_689_512),
    ("ResNet-34", 2016, 34, 73.314, 3.664, 21_797_672),
    ("ResNet-50", 2016, 50, 76.130, 4.089, 25_557_032),
    ("ResNet-101", 2016, 101, 77.374, 7.801, 44_549_160),
    ("ResNet-152", 2016, 152, 78.312, 11.514, 60_192_808),
)
IMAGENET_SOURCE = "https://pytorch.org/vision/stable/models.html"

#: The lecture's timeline: name, year, weight layers, parameters, what it added.
TIMELINE: tuple[tuple[str, int, int, int, str], ...] = (
    ("LeNet-5", 1998, 5, 60_000, "convolutions + pooling, trained end to end on digits (LeCun et al.)"),
    ("AlexNet", 2012, 8, 61_100_840, "ReLU, dropout, two GPUs: won ImageNet 2012 by a wide margin"),
    ("VGG-19", 2015, 19, 143_667_240, "only 3x3 convolutions, stacked deep (Simonyan & Zisserman)"),
    ("ResNet-152", 2016, 152, 60_192_808, "skip connections make 152 layers trainable (He et al.)"),
)


def family(name: str) -> str:
    """ResNet, VGG, or the model's own name (one colour per family in the figure)."""
    return "ResNet" if name.startswith("ResNet") else ("VGG" if name.startswith("VGG") else name)


@dataclass(frozen=True)
class ModelCompare:
    """How model ``b`` compares with model ``a`` in the ImageNet table."""

    a: str
    b: str
    gflops_ratio: float  # b / a
    params_ratio: float  # b / a
    acc_gain: float  # top-1 points, b - a


def compare_models(a: str, b: str) -> ModelCompare:
    """Ratios of computation and parameters, and the accuracy gain, from model a to model b."""
    rows = {r[0]: r for r in IMAGENET}
    ra, rb = rows[a], rows[b]
    return ModelCompare(a, b, rb[4] / ra[4], rb[5] / ra[5], rb[3] - ra[3])


def history_text() -> str:
    """The comparison paragraph, every number from the table."""
    alex_vgg = compare_models("AlexNet", "VGG-19")
    vgg_res = compare_models("VGG-19", "ResNet-50")
    vgg16_19 = compare_models("VGG-16", "VGG-19")
    return (
        f"VGG-19 is deeper than AlexNet and {alex_vgg.acc_gain:.1f} points better, but costs "
        f"{alex_vgg.gflops_ratio:.0f}× the computation; ResNet-50 beats it by {vgg_res.acc_gain:.1f} points with "
        f"{vgg_res.params_ratio:.0%} of its parameters and {vgg_res.gflops_ratio:.0%} of its GFLOPS. "
        "Deeper is not always better:\n"
        f"- **Parameters**: more layers of the same width cost more memory and computation (VGG-16 → VGG-19: "
        f"+{vgg16_19.gflops_ratio - 1:.0%} GFLOPS for +{vgg16_19.acc_gain:.1f} points).\n"
        "- **Optimisation**: plain deep stacks are hard to train (vanishing gradients, dead units, section 6); "
        "ResNet's skip connections are what made 152 layers trainable.\n"
        "- **Data**: more capacity needs more data, or it overfits.\n"
        "- **Inductive bias**: convolutions, pooling and skips matter as much as depth itself.")
