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
    assert "2 more orange points and 2 more blue points" in problem(ds)
    assert "4 more points" in problem(from_points([], "custom_regression"))


def test_problem_counts_each_class():
    ds = from_points([[0, 0, 0], [1, 1, 0], [2, 2, 1]], "custom")
    assert problem(ds) == "Add 1 more blue point to train (at least 2 of each class)."
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
