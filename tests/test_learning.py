"""The defaults the page starts from actually learn: accuracy / R^2 targets per dataset.

Digits and MNIST use the real files from ``python build.py data`` (found the way nnpy finds them);
a missing file fails the test with that instruction instead of skipping it.
"""

import numpy as np
import pytest

import nnpy
from nnpy import datasets, training

# dataset -> (score key, minimum on the held-out test set) with datasets.DEFAULTS and seed 0
TARGETS = {
    "circle": ("accuracy", 0.97),
    "xor": ("accuracy", 0.97),
    "spiral": ("accuracy", 0.97),
    "gaussians": ("accuracy", 0.97),
    "moons": ("accuracy", 0.97),
    "plane": ("r2", 0.98),
    "gaussian_mix": ("r2", 0.75),
    "sine": ("r2", 0.95),
    "digits": ("accuracy", 0.95),
    "mnist": ("accuracy", 0.90),
}


def require_data(name):
    if datasets.DATASETS[name].image and not datasets.data_path(name).exists():
        pytest.fail(f"{datasets.data_path(name)} is missing: run `python build.py data` "
                    f"(the learning test for {name!r} needs the real images)")


@pytest.mark.parametrize("name", list(TARGETS))
def test_defaults_reach_the_target(name):
    require_data(name)
    key, minimum = TARGETS[name]
    run = training.setup(name, seed=0)
    history = run.fit()
    score = history.test[-1][key]
    assert score >= minimum, f"{name}: test {key} {score:.3f} < {minimum} with {run.settings}"
    assert history.steps == run.settings["epochs"] * -(-len(run.train) // run.settings["batch_size"])


@pytest.mark.parametrize("name", ["spiral", "xor", "circle"])
def test_toy_targets_hold_for_other_seeds(name):
    scores = [training.setup(name, seed=seed).fit().test[-1]["accuracy"] for seed in (1, 2)]
    assert min(scores) >= 0.97, scores


def test_same_seed_same_run_bit_for_bit():
    a = training.setup("moons", seed=11, epochs=3)
    b = training.setup("moons", seed=11, epochs=3)
    ha, hb = a.fit(), b.fit()
    assert ha.batch_loss == hb.batch_loss
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(a.net.params, b.net.params))


def test_trainer_visits_every_example_once_per_epoch(monkeypatch):
    seen = []
    original = training.train_step

    def spy_step(net, opt, xb, yb, regularizer=None):
        seen.append(xb[:, 0].tolist())
        return original(net, opt, xb, yb, regularizer)

    monkeypatch.setattr(training, "train_step", spy_step)
    net = nnpy.Network([1, 1], activation="linear", loss="mse", rng=0)
    x = np.arange(10.0)[:, None]
    trainer = training.Trainer(net, nnpy.optimizers.make("sgd", learning_rate=0.01), x, x, batch_size=4,
                               rng=np.random.default_rng(0))
    trainer.run_epoch()
    trainer.run_epoch()
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2] and trainer.steps == 6 and trainer.epoch == 1
    first, second = sum(seen[:3], []), sum(seen[3:], [])
    assert sorted(first) == sorted(second) == list(range(10)) and first != second
    assert "Trainer(" in repr(trainer)


def test_trainer_and_fit_reject_bad_arguments():
    net = nnpy.Network([2, 2], rng=0)
    opt = nnpy.optimizers.make("sgd", learning_rate=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        training.Trainer(net, opt, np.zeros((3, 2)), np.zeros(3, int), batch_size=0)
    with pytest.raises(ValueError, match="as many targets"):
        training.Trainer(net, opt, np.zeros((3, 2)), np.zeros(2, int))
    with pytest.raises(ValueError, match="unknown setting"):
        training.setup("xor", epoch=3)
    with pytest.raises(ValueError, match="unknown dataset"):
        training.setup("nope")


def test_fit_history_and_early_stop():
    run = training.setup("xor", seed=0)
    history = run.fit(epochs=10, callback=lambda epoch, h: h.test[-1]["accuracy"] > 0.9)
    assert len(history.batch_loss) < 10 and len(history.train) == len(history.test) == len(history.batch_loss)
    assert "History(" in repr(history) and "Setup(" in repr(run)
