"""Multinomial logistic regression in numpy, trained by federated averaging.

Task functions (``train``, ``aggregate``, ``predict``, ``metric``) follow podium's task contract (see
docs/functions.md). Models travel as ``.npz`` files (``weights``, ``bias``, ``samples``), loaded with
``allow_pickle=False``: nothing from a peer is ever unpickled.
"""

from pathlib import Path
from typing import Any

import numpy as np

CLASSES = 10
LEARNING_RATE = 0.5
LOCAL_EPOCHS = 10
BATCH_SIZE = 32
INJECT_FAILURE = "inject_failure"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def initial_model(features: int) -> dict[str, np.ndarray]:
    return {"weights": np.zeros((features, CLASSES)), "bias": np.zeros(CLASSES), "samples": np.array(0)}


def sgd(
    model: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, epochs: int, seed: int
) -> dict[str, np.ndarray]:
    """Mini-batch gradient descent on the cross-entropy; deterministic for a given seed."""
    weights, bias = model["weights"].copy(), model["bias"].copy()
    targets = np.eye(CLASSES)[y]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            error = softmax(x[batch] @ weights + bias) - targets[batch]
            weights -= LEARNING_RATE * x[batch].T @ error / len(batch)
            bias -= LEARNING_RATE * error.mean(axis=0)
    return {"weights": weights, "bias": bias, "samples": np.array(len(y))}


def predict_labels(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return np.argmax(x @ model["weights"] + model["bias"], axis=1)  # type: ignore[no-any-return]


def load_model(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def save_model(model: dict[str, np.ndarray], path: Path) -> None:
    with path.open("wb") as file:
        np.savez(file, weights=model["weights"], bias=model["bias"], samples=model["samples"])


def train(inputs: Any, outputs: Any, context: Any) -> None:
    """One round of local training from the shared model (or from zeros in the first round)."""
    if context.metadata.get(INJECT_FAILURE) == "1":
        raise RuntimeError("injected failure: this task was asked to fail (podium demo --inject-failure)")
    x, y = inputs["datasamples"]
    model = load_model(inputs.path("shared")) if "shared" in inputs else initial_model(x.shape[1])
    seed = int(context.metadata.get("round_idx", "0")) * 1000 + context.rank
    save_model(sgd(model, x, y, LOCAL_EPOCHS, seed), outputs["shared"])
    print(f"trained on {len(y)} samples at {context.organization}")


def aggregate(inputs: Any, outputs: Any, context: Any) -> None:
    """Federated averaging: the mean of the models weighted by their training samples."""
    models = [load_model(path) for path in inputs.paths("shared")]
    counts = np.array([float(m["samples"]) for m in models])
    share = counts / counts.sum()
    averaged: dict[str, np.ndarray] = {
        "weights": np.sum([s * m["weights"] for s, m in zip(share, models, strict=True)], axis=0),
        "bias": np.sum([s * m["bias"] for s, m in zip(share, models, strict=True)], axis=0),
        "samples": np.array(int(counts.sum())),
    }
    save_model(averaged, outputs["shared"])
    print(f"averaged {len(models)} models over {int(counts.sum())} samples")


def predict(inputs: Any, outputs: Any, context: Any) -> None:
    x, _ = inputs["datasamples"]
    labels = predict_labels(load_model(inputs.path("shared")), x)
    with outputs["predictions"].open("wb") as file:
        np.savez(file, labels=labels)


def metric(inputs: Any, outputs: Any, context: Any) -> None:
    """Accuracy of the predictions on the organization's test samples."""
    _, y = inputs["datasamples"]
    with np.load(inputs.path("predictions"), allow_pickle=False) as stored:
        labels = stored["labels"]
    outputs.write_performance("performance", float(np.mean(labels == y)))
