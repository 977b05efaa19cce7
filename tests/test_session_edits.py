"""web/py/nnpy_page.py under CPython: the settings panel's changes as the Session sees them.

Adding, removing or resizing hidden layers edits the live network (nnpy's insert_layer /
remove_layer / resize_layer): the step counter and every surviving weight stay, and training goes on.
Every other change still builds a new network; a refused change leaves the session untouched.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web" / "py"))

from nnpy_page import Session, edit_hidden  # noqa: E402

import nnpy  # noqa: E402


def trained(dataset="xor", steps=20, **config):
    s = Session()
    s.configure({"dataset": dataset, "seed": 0, **config})
    s.train(1000, steps)
    assert s.step == steps
    return s


def weights(s):
    return [(layer.params["W"].copy(), layer.params["b"].copy()) for layer in s.net.layers]


def test_adding_a_hidden_layer_keeps_the_steps_and_the_weights_before_it():
    s = trained(hidden=[8, 8])
    net = s.net
    before = weights(s)
    meta = s.configure({"hidden": [8, 8, 4]})
    assert s.net is net, "the network was rebuilt instead of edited"
    assert meta["sizes"] == [2, 8, 8, 4, 2]
    assert meta["rebuilt"] is False
    assert s.step == 20 and s.figures[0] == 20
    after = weights(s)
    for (W0, b0), (W1, b1) in zip(before[:2], after[:2]):
        np.testing.assert_array_equal(W0, W1)
        np.testing.assert_array_equal(b0, b1)
    # the snapshot has the new shape, and training goes on from step 20
    assert s.snapshot_buffer.size == meta["snapshot_length"]
    assert s.train(1000, 5) == "ok"
    assert s.step == 25


def test_removing_a_layer_and_resizing_one_keep_training_state():
    s = trained(hidden=[8, 8], steps=10)
    W0 = s.net.layers[0].params["W"].copy()
    s.configure({"hidden": [8]})
    assert s.sizes == [2, 8, 2] and s.step == 10
    np.testing.assert_array_equal(s.net.layers[0].params["W"], W0)
    s.configure({"hidden": [5]})
    np.testing.assert_array_equal(s.net.layers[0].params["W"], W0[:, :5])
    s.configure({"hidden": []})
    assert s.meta["sizes"] == [2, 2] and s.step == 10
    assert s.train(1000, 3) == "ok" and s.step == 13


def test_adam_keeps_its_state_for_untouched_layers():
    """Training after an edit equals training a network that had the edited shape all along with
    the same moments for the untouched layers: checked by the optimizer's step count surviving."""
    s = trained(hidden=[8, 8], steps=15)
    opt = s.optimizer
    s.configure({"hidden": [8, 8, 3]})
    assert s.optimizer is opt
    s.train(1000, 1)
    assert s.step == 16


def test_edit_hidden_inserts_or_removes_in_the_middle():
    net = nnpy.Network([2, 4, 6, 2], activation="tanh", rng=np.random.default_rng(0))
    last = net.layers[-1].params["W"].copy()
    edit_hidden(net, [4, 3, 6])           # one layer inserted in the middle
    assert net.sizes == [2, 4, 3, 6, 2]
    np.testing.assert_array_equal(net.layers[-1].params["W"], last)
    edit_hidden(net, [4, 6])              # and removed again
    assert net.sizes == [2, 4, 6, 2]
    edit_hidden(net, [7, 1, 2, 9])        # anything else: grow at the end, then resize
    assert net.sizes == [2, 7, 1, 2, 9, 2]


def test_other_changes_rebuild_and_restart_rebuilds_with_the_same_seed():
    s = trained(hidden=[8, 8])
    meta = s.configure({"activation": "relu"})
    assert meta["rebuilt"] is True and s.step == 0
    s.train(1000, 5)
    w5 = weights(s)
    meta = s.configure({"restart": True})
    assert meta["rebuilt"] is True and s.step == 0
    assert "restart" not in s.config
    s.train(1000, 5)
    for (Wa, _), (Wb, _) in zip(w5, weights(s)):
        np.testing.assert_array_equal(Wa, Wb)   # the same seed gives the same run
    # a change that changes nothing builds nothing
    assert s.configure({"seed": 0})["rebuilt"] is False and s.step == 5


def test_a_refused_hidden_edit_leaves_the_network_as_it_was():
    s = trained(hidden=[8, 8], steps=10)
    before = weights(s)
    with pytest.raises(ValueError):
        s.configure({"hidden": [8, 8, 5000]})     # more neurons than nnpy allows
    assert s.sizes == [2, 8, 8, 2] and s.config["hidden"] == [8, 8] and s.step == 10
    for (W0, b0), (W1, b1) in zip(before, weights(s)):
        np.testing.assert_array_equal(W0, W1)
        np.testing.assert_array_equal(b0, b1)
    assert s.train(1000, 2) == "ok" and s.step == 12


def test_meta_carries_the_config_and_training_points_for_the_panel():
    s = Session()
    meta = s.configure({"dataset": "spiral", "seed": 3, "noise": 0.2})
    cfg = meta["config"]
    assert cfg["dataset"] == "spiral" and cfg["seed"] == 3 and cfg["noise"] == 0.2
    assert cfg["hidden"] == [32, 32] and cfg["features"] == ["x1", "x2"]
    assert len(meta["train_points"]) > 100 and meta["train_points"] != meta["points"]
    assert s.configure({"dataset": "digits"})["train_points"] == []


def test_fixed_steps_can_skip_the_full_evaluation():
    s = trained(dataset="digits", steps=1)
    evals = s.evals
    s.train(1000, 3, evaluate=False)
    assert s.step == 4 and s.evals == evals         # one chunk of the test split, no new figure yet
    s.train(1000, 1)
    assert s.evals == evals + 1                     # Step still measures everything
