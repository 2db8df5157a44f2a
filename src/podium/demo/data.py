"""The demo's data: scikit-learn's bundled digits (nothing downloaded), split unevenly among the
organizations, and the same model trained centrally on all of it for comparison."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from podium.demo.functions import fedlr_model

TEST_FRACTION = 0.25
SEED = 7


@dataclass(frozen=True)
class Split:
    """One organization's share: training and test arrays."""

    organization: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def shares(count: int) -> list[float]:
    """Uneven shares that sum to 1: each organization holds half as much again as the next."""
    weights = [1.5 ** (count - index) for index in range(count)]
    total = sum(weights)
    return [weight / total for weight in weights]


def split_digits(organizations: list[str]) -> list[Split]:
    """Shuffle the digits (features scaled to [0, 1]), hold out a test set, and deal both sets out in
    uneven shares."""
    digits = load_digits()
    x = digits.data / 16.0
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(y))
    x, y = x[order], y[order]
    cut = int(len(y) * (1 - TEST_FRACTION))
    bounds = np.cumsum([0.0, *shares(len(organizations))])
    splits = []
    for index, organization in enumerate(organizations):
        train = slice(int(bounds[index] * cut), int(bounds[index + 1] * cut))
        test = slice(cut + int(bounds[index] * (len(y) - cut)), cut + int(bounds[index + 1] * (len(y) - cut)))
        splits.append(Split(organization, x[train], y[train], x[test], y[test]))
    return splits


def write_sample(directory: Path, x: np.ndarray, y: np.ndarray) -> Path:
    """A data-sample directory as the demo's opener reads it."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "data.npz").open("wb") as file:
        np.savez(file, x=x, y=y)
    return directory


def central_accuracy(splits: list[Split], rounds: int) -> list[float]:
    """The same model trained on all the training data in one place, for as many epochs as the
    federation runs: accuracy on all the test data after each round."""
    x = np.concatenate([s.x_train for s in splits])
    y = np.concatenate([s.y_train for s in splits])
    x_test = np.concatenate([s.x_test for s in splits])
    y_test = np.concatenate([s.y_test for s in splits])
    model = fedlr_model.initial_model(x.shape[1])
    accuracies = []
    for round_number in range(1, rounds + 1):
        model = fedlr_model.sgd(model, x, y, fedlr_model.LOCAL_EPOCHS, seed=round_number)
        accuracies.append(float(np.mean(fedlr_model.predict_labels(model, x_test) == y_test)))
    return accuracies
