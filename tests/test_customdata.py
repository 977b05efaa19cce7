"""Your own data (nnpy.customdata): points in, Dataset out; the CSV reader refuses bad files by line."""

import numpy as np
import pytest

from nnpy import customdata, datasets
from nnpy.customdata import MAX_POINTS, from_points, problem, read_csv, split, write_csv

R = datasets.RADIUS


def test_from_points_makes_a_classification_dataset():
    ds = from_points([[1, 2, 0], [-3.5, 4, 1], [0, 0, 1]], "custom")
    assert ds.kind == "classification" and ds.n_classes == 2 and ds.n_outputs == 2
    assert ds.x.dtype == np.float64 and ds.x.shape == (3, 2) and ds.x.flags.c_contiguous
    assert ds.y.dtype == np.int64 and ds.y.tolist() == [0, 1, 1]
    assert ds.input_shape == (2,) and ds.feature_names == ("x1", "x2")


def test_from_points_makes_a_regression_dataset():
    ds = from_points(np.array([[1, 2, 0.25], [-1, 0, -0.75]]), "custom_regression")
    assert ds.kind == "regression" and ds.n_outputs == 1
    assert ds.y.shape == (2, 1) and ds.y[:, 0].tolist() == [0.25, -0.75]


def test_no_points_is_an_empty_dataset_that_names_what_is_missing():
    ds = from_points([], "custom")
    assert len(ds) == 0 and ds.x.shape == (0, 2)
    assert problem(ds) == "Add 2 more orange and 2 more blue points to train."
    assert "4 more points" in problem(from_points([], "custom_regression"))


def test_problem_counts_each_class():
    ds = from_points([[0, 0, 0], [1, 1, 0], [2, 2, 1]], "custom")
    assert problem(ds) == "Add 1 more blue point to train."
    assert problem(from_points([[0, 0, 0], [1, 1, 0], [2, 2, 1], [3, 3, 1]], "custom")) == ""
    assert problem(from_points([[i, 0, 0.1] for i in range(4)], "custom_regression")) == ""


@pytest.mark.parametrize("points, fragment", [
    ([[0, 0, 2]], "label 2 is not a class"),
    ([[0, 0, -1]], "label -1 is not a class"),
    ([[0, 0, 0.5]], "label 0.5 is not a class"),
    ([[7, 0, 1]], "x1 = 7 is outside the plane's range -6..6"),
    ([[0, -6.5, 1]], "x2 = -6.5 is outside"),
    ([[float("nan"), 0, 1]], "x1 is nan, not a finite number"),
    ([[0, 0, float("inf")]], "label is inf"),
    ([[0, 0]], "rows of [x1, x2, label]"),
    ([[0, 0, "a"]], "numbers only"),
    ([[0, 0, 1]] * (MAX_POINTS + 1), f"more than the {MAX_POINTS} allowed"),
])
def test_from_points_refuses_bad_points(points, fragment):
    with pytest.raises(ValueError) as err:
        from_points(points, "custom")
    assert fragment in str(err.value)


def test_regression_targets_are_bounded_and_the_name_is_checked():
    with pytest.raises(ValueError, match="target 1000 is outside"):
        from_points([[0, 0, 1000]], "custom_regression")
    with pytest.raises(ValueError, match="unknown custom dataset 'spiral'"):
        from_points([[0, 0, 1]], "spiral")


def test_the_plane_edge_itself_is_allowed():
    ds = from_points([[R, -R, 1], [-R, R, 0]], "custom")
    assert np.abs(ds.x).max() == R


# --------------------------------------------------------------------------- CSV

def test_csv_round_trip_gives_the_same_points():
    rng = np.random.default_rng(0)
    pts = np.column_stack([rng.uniform(-R, R, (50, 2)).round(3), rng.integers(0, 2, 50)])
    ds = from_points(pts, "custom")
    back = read_csv(write_csv(ds), "custom")
    assert np.array_equal(back.x, ds.x) and np.array_equal(back.y, ds.y)
    reg = from_points(np.column_stack([pts[:, :2], rng.normal(size=50)]), "custom_regression")
    back = read_csv(write_csv(reg), "custom_regression")
    assert np.array_equal(back.x, reg.x) and np.array_equal(back.y, reg.y)
    assert write_csv(reg).splitlines()[1] == "x1,x2,target"


def test_csv_tolerates_headers_comments_blank_lines_and_separators():
    text = "\ufeff# my points\n\nx,y,class\r\n1,2,0\r\n  -1.5 ; 3 ; 1 \n# more\n2\t-2\t1\n0.5 0.5 0\n\n"
    ds = read_csv(text, "custom")
    assert ds.x.tolist() == [[1, 2], [-1.5, 3], [2, -2], [0.5, 0.5]]
    assert ds.y.tolist() == [0, 1, 1, 0]
    assert read_csv("1,2,1.0\n3,4,0.0\n", "custom").y.tolist() == [1, 0]
    assert read_csv(b"x1,x2,target\n1,2,-0.5\n", "custom_regression").y[:, 0].tolist() == [-0.5]


@pytest.mark.parametrize("text, fragment", [
    ("", "the file holds no points"),
    ("# only a comment\n\n", "the file holds no points"),
    ("x1,x2,label\n", "the file holds no points"),
    ("1,2,0\n1,2\n", "line 2: expected 3 values (x1, x2, label), found 2"),
    ("1,2,0,4\n", "line 1: expected 3 values (x1, x2, label), found 4"),
    ("x1,x2,label\n1,abc,0\n", "line 2: 'abc' is not a number"),
    ("1,2,0\nx1,x2,label\n", "line 2: 'x1' is not a number"),
    ("1,,0\n", "line 1: a value is empty"),
    ("1,nan,0\n", "line 1: x2 is nan, not a finite number"),
    ("1,2,inf\n", "line 1: label is inf"),
    ("\n\n1,2,3\n", "line 3: label 3 is not a class: use 0 (orange) or 1 (blue)"),
    ("1,2,-1\n", "line 1: label -1 is not a class"),
    ("100,2,1\n", "line 1: x1 = 100 is outside the plane's range -6..6"),
    ("1,2,1\x00\n", "not text"),
    ("1,2," + "9" * 30 + "x\n", "…' is not a number"),
])
def test_csv_refuses_bad_files_naming_the_line(text, fragment):
    with pytest.raises(ValueError) as err:
        read_csv(text, "custom")
    assert fragment in str(err.value)


def test_csv_refuses_too_many_points_and_huge_files():
    many = "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(MAX_POINTS + 1))
    with pytest.raises(ValueError, match=f"line {MAX_POINTS + 1}: more than {MAX_POINTS} points"):
        read_csv(many, "custom")
    assert len(read_csv(many[: many.rindex("\n", 0, -1) + 1], "custom")) == MAX_POINTS
    with pytest.raises(ValueError, match="at most 262,144 are read"):
        read_csv("# " + "x" * customdata.MAX_BYTES + "\n1,2,0\n", "custom")
    with pytest.raises(ValueError, match="bytes; at most"):
        read_csv(b"1,2,0\n" * 50_000, "custom")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_csv(b"1,2,0\n\xff\xfe\n", "custom")


def test_regression_csv_accepts_any_target_in_range():
    ds = read_csv("x1,x2,target\n1,2,3.5\n-1,-2,-42\n", "custom_regression")
    assert ds.y[:, 0].tolist() == [3.5, -42]
    with pytest.raises(ValueError, match="line 2: target 1e\\+06 is outside"):
        read_csv("1,2,0\n1,2,1e6\n", "custom_regression")


# --------------------------------------------------------------------------- split

def test_split_is_stable_when_points_are_added():
    rng = np.random.default_rng(3)
    pts = np.column_stack([rng.uniform(-R, R, (40, 2)), rng.integers(0, 2, 40)])
    train, test = split(from_points(pts, "custom"), 0.25)
    assert len(test) == 10 and len(train) == 30
    assert set(map(tuple, train.x)) | set(map(tuple, test.x)) == set(map(tuple, pts[:, :2]))
    more = np.vstack([pts, [[0.1, 0.2, 1]]])
    train2, test2 = split(from_points(more, "custom"), 0.25)
    moved = set(map(tuple, test.x)) ^ set(map(tuple, test2.x))
    assert len(moved) <= 2, "adding one point reshuffled the split"


def test_split_keeps_both_sides_non_empty():
    train, test = split(from_points([[0, 0, 0], [1, 1, 1]], "custom"), 0.2)
    assert len(train) == 1 and len(test) == 1
    with pytest.raises(ValueError, match="at least 2 points"):
        split(from_points([[0, 0, 0]], "custom"), 0.2)


def test_defaults_are_small_two_d_networks():
    for name in customdata.NAMES:
        settings = customdata.DEFAULTS[name]
        assert set(settings) == set(datasets.DEFAULTS["circle"])
        assert len(settings["hidden"]) <= 2 and max(settings["hidden"]) <= 8
    assert customdata.DEFAULTS["custom_regression"]["loss"] == "mse"


# --------------------------------------------------------------------------- the page's session

@pytest.fixture
def session():
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web" / "py"))
    from nnpy_page import Session
    return Session()


POINTS = [[1, 1, 1], [2, 2, 1], [-1, -1, 0], [-2, -2, 0], [1.5, 2, 1], [-3, -1, 0], [2.5, 0.5, 1], [-0.5, -2, 0]]


def test_session_starts_empty_and_refuses_to_train_with_a_message(session):
    meta = session.configure({"dataset": "custom"})
    assert meta["sizes"] == [2, *customdata.DEFAULTS["custom"]["hidden"], 2] and meta["points"] == []
    assert meta["custom"]["problem"] == "Add 2 more orange and 2 more blue points to train."
    assert session.train(5) == "nodata" and session.step == 0
    assert np.isfinite(session.snapshot_buffer).all() and session.field_buffer.size


def test_new_points_keep_the_network_and_training_goes_on(session):
    session.configure({"dataset": "custom", "points": POINTS[:3]})
    assert session.train(5) == "nodata"
    meta = session.configure({"points": POINTS})
    assert meta["custom"] == {"count": 8, "counts": [4, 4], "problem": "", "max_points": MAX_POINTS,
                              "target_range": [-1.0, 1.0]}
    assert session.train(10_000, max_steps=30) == "ok" and session.step == 30
    net, weights = session.net, session.net.params.flat.copy()
    meta = session.configure({"points": POINTS + [[3, 3, 1]]})
    assert session.net is net and np.array_equal(session.net.params.flat, weights), "points rebuilt the network"
    assert session.step == 30 and len(meta["points"]) == 9
    assert len(session.train_x) + len(session.test_x) == 9
    assert session.train(10_000, max_steps=10) == "ok" and session.step == 40


def test_every_point_is_drawn_up_to_the_cap(session):
    rng = np.random.default_rng(0)
    pts = np.column_stack([rng.uniform(-R, R, (MAX_POINTS, 2)).round(3), rng.integers(0, 2, MAX_POINTS)])
    meta = session.configure({"dataset": "custom", "points": pts.tolist()})
    assert len(meta["points"]) == MAX_POINTS
    assert np.allclose(np.array(meta["points"]), pts)


def test_bad_points_leave_the_session_as_it_was(session):
    session.configure({"dataset": "custom", "points": POINTS})
    session.train(10_000, max_steps=5)
    for bad in ([[9, 0, 1]], [[0, 0, 2]], [[0, 0]], [[0, 0, 1]] * (MAX_POINTS + 1)):
        with pytest.raises(ValueError):
            session.configure({"points": bad})
        assert len(session.meta["points"]) == len(POINTS) and session.step == 5
    session.configure({"dataset": "spiral"})
    with pytest.raises(ValueError, match="points are only for custom"):
        session.configure({"points": POINTS})


def test_points_survive_a_new_seed_and_a_dataset_round_trip(session):
    session.configure({"dataset": "custom", "points": POINTS})
    assert len(session.configure({"seed": 4})["points"]) == len(POINTS)
    session.configure({"dataset": "xor"})
    assert len(session.configure({"dataset": "custom"})["points"]) == len(POINTS)


def test_regression_points_train_with_mse(session):
    pts = [[x, y, np.sin(x) / 2] for x, y in np.random.default_rng(1).uniform(-5, 5, (20, 2))]
    meta = session.configure({"dataset": "custom_regression", "points": pts})
    assert meta["kind"] == "regression" and meta["loss"] == "mse" and meta["sizes"][-1] == 1
    assert meta["custom"]["problem"] == "" and len(meta["points"]) == 20
    train_loss = lambda: session.loss.value(session._logits(session.train_x), session.train_y)  # noqa: E731
    loss0 = train_loss()
    assert session.train(10_000, max_steps=300) == "ok"
    assert train_loss() < 0.1 * loss0


def test_csv_requests_from_the_page(session):
    import nnpy_custom
    out = nnpy_custom.handle({"action": "read_csv", "dataset": "custom", "text": "x1,x2,label\n1,2,0\n-1,0.5,1\n"})
    assert out == {"points": [[1.0, 2.0, 0.0], [-1.0, 0.5, 1.0]]}
    text = nnpy_custom.handle({"action": "write_csv", "dataset": "custom", "points": out["points"]})["text"]
    assert nnpy_custom.handle({"action": "read_csv", "dataset": "custom", "text": text}) == out
    with pytest.raises(ValueError, match="line 2: 'oops' is not a number"):
        nnpy_custom.handle({"action": "read_csv", "dataset": "custom", "text": "1,2,0\noops,1,1\n"})


def test_points_added_one_by_one_resplit_without_a_rebuild(session):
    """Each new point changes the test split's size; the evaluation's bookkeeping must follow."""
    session.configure({"dataset": "custom"})
    placed = []
    for k, (x1, x2) in enumerate([(-3.6, 2.4), (-2, 2.4), (3, -1), (2, -2), (1, 1), (-1, -1)]):
        placed.append([x1, x2, k % 2])
        meta = session.configure({"points": placed})
        assert len(meta["points"]) == len(placed)
    assert session.train(ms=50, max_steps=5) == "ok" and session.step == 5


def test_regression_points_added_to_an_empty_set_train_without_a_false_divergence(session):
    """The exploding-loss limit is remade from the points placed, not from the empty set's placeholder."""
    session.configure({"dataset": "custom_regression"})
    meta = session.configure({"points": [[-3, -3, -1], [-1, -1, -0.5], [1, 1, 0.5], [3, 3, 1]]})
    assert meta["custom"]["problem"] == ""
    assert session.train(ms=200, max_steps=50) == "ok" and session.step == 50
